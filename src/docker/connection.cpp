#include "docker/connection.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>

#include "common/byte_stream.hpp"

namespace medic::docker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using asio::awaitable;

using UnixStream = beast::basic_stream<asio::local::stream_protocol>;
using TcpStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

/// Where to connect, and what the errors call it.
struct Place {
    asio::any_io_executor executor;
    const Endpoint& endpoint;
    ssl::context* tls;
    std::chrono::milliseconds timeout;
    const std::string& peer;
};

/// A failed connect: a peer that lets it hang (a paused container, a dropped SYN) did not
/// answer in time; anything else is nothing answering.
Error connect_error(const beast::error_code& error, const Place& place)
{
    return Error{
        error == beast::error::timeout ? ErrorKind::timeout : ErrorKind::connect_failed, 0,
        fmt::format("cannot connect to {} at {}: {}", place.peer, place.endpoint.to_string(), error.message())};
}

/// Connects the TCP layer; `timeout` stays the deadline of the exchange that follows.
awaitable<Result<void>> connect_lowest(TcpStream& tcp, const asio::ip::tcp::resolver::results_type& addresses,
                                       const Place& place)
{
    tcp.expires_after(place.timeout);
    auto [error, connected] = co_await tcp.async_connect(addresses, k_nothrow);
    (void)connected;
    if (error) {
        co_return tl::unexpected(connect_error(error, place));
    }
    co_return Result<void>{};
}

awaitable<Result<std::unique_ptr<ByteStream>>> connect_unix(const Place& place)
{
    auto connection = std::make_unique<ByteStreamOf<UnixStream>>(place.executor);
    connection->expires_after(place.timeout);
    auto [error] = co_await connection->stream().async_connect(
        asio::local::stream_protocol::endpoint(place.endpoint.socket_path), k_nothrow);
    if (error) {
        co_return tl::unexpected(connect_error(error, place));
    }
    co_return std::unique_ptr<ByteStream>(std::move(connection));
}

awaitable<Result<std::unique_ptr<ByteStream>>> connect_tcp(const Place& place)
{
    asio::ip::tcp::resolver resolver(place.executor);
    auto [resolve_error, addresses] =
        co_await resolver.async_resolve(place.endpoint.host, place.endpoint.port, k_nothrow);
    if (resolve_error) {
        co_return fail(ErrorKind::connect_failed, fmt::format("cannot resolve {} at {}: {}", place.peer,
                                                              place.endpoint.to_string(), resolve_error.message()));
    }
    if (place.endpoint.transport != Transport::tls) {
        auto connection = std::make_unique<ByteStreamOf<TcpStream>>(place.executor);
        if (auto connected = co_await connect_lowest(connection->stream(), addresses, place); !connected) {
            co_return tl::unexpected(connected.error());
        }
        co_return std::unique_ptr<ByteStream>(std::move(connection));
    }
    auto connection = std::make_unique<ByteStreamOf<TlsStream>>(place.executor, *place.tls);
    auto& tls = connection->stream();
    if (auto connected = co_await connect_lowest(beast::get_lowest_layer(tls), addresses, place); !connected) {
        co_return tl::unexpected(connected.error());
    }
    if (!SSL_set_tlsext_host_name(tls.native_handle(), place.endpoint.host.c_str())) {
        co_return fail(ErrorKind::tls, "cannot set the TLS server name");
    }
    if (place.endpoint.tls && place.endpoint.tls->verify) {
        tls.set_verify_callback(ssl::host_name_verification(place.endpoint.host));
    }
    auto [handshake_error] = co_await tls.async_handshake(ssl::stream_base::client, k_nothrow);
    if (handshake_error) {
        co_return fail(ErrorKind::tls, fmt::format("TLS handshake with {} at {} failed: {}", place.peer,
                                                   place.endpoint.to_string(), handshake_error.message()));
    }
    co_return std::unique_ptr<ByteStream>(std::move(connection));
}

} // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsFiles& files)
{
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    beast::error_code error;
    context->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    auto check = [&](std::string_view what, const std::string& file) -> Result<void> {
        if (error) {
            return fail(ErrorKind::tls, fmt::format("cannot load the TLS {} '{}': {}", what, file, error.message()));
        }
        return {};
    };
    if (files.verify && files.ca_file.empty()) {
        context->set_default_verify_paths(error);
        if (auto checked = check("system CA certificates", "(default paths)"); !checked) {
            return tl::unexpected(checked.error());
        }
        context->set_verify_mode(ssl::verify_peer);
    } else if (files.verify) {
        context->load_verify_file(files.ca_file, error);
        if (auto checked = check("CA certificate", files.ca_file); !checked) {
            return tl::unexpected(checked.error());
        }
        context->set_verify_mode(ssl::verify_peer);
    } else {
        context->set_verify_mode(ssl::verify_none);
    }
    // Client certificates are optional without verification, as in the docker CLI.
    const bool need_client_certificate =
        !files.certificate_file.empty() && (files.verify || ::access(files.certificate_file.c_str(), R_OK) == 0);
    if (need_client_certificate) {
        context->use_certificate_chain_file(files.certificate_file, error);
        if (auto checked = check("client certificate", files.certificate_file); !checked) {
            return tl::unexpected(checked.error());
        }
        context->use_private_key_file(files.key_file, ssl::context::pem, error);
        if (auto checked = check("client key", files.key_file); !checked) {
            return tl::unexpected(checked.error());
        }
    }
    return context;
}

awaitable<Result<std::unique_ptr<ByteStream>>> open_connection(asio::any_io_executor executor, const Endpoint& endpoint,
                                                               ssl::context* tls, std::chrono::milliseconds timeout,
                                                               const std::string& peer)
{
    const Place place{std::move(executor), endpoint, tls, timeout, peer};
    switch (endpoint.transport) {
    case Transport::unix_socket: co_return co_await connect_unix(place);
    case Transport::tcp: co_return co_await connect_tcp(place);
    case Transport::tls:
        if (tls == nullptr) {
            co_return fail(ErrorKind::invalid_argument, "a TLS endpoint needs a TLS context");
        }
        co_return co_await connect_tcp(place);
    }
    co_return fail(ErrorKind::invalid_argument, "unknown transport");
}

} // namespace medic::docker
