#include "probe/connect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <fmt/format.h>

namespace medic::probe {

namespace asio = boost::asio;
namespace beast = boost::beast;

std::string describe_network_error(const boost::system::error_code& error, std::chrono::milliseconds timeout)
{
    if (error == beast::error::timeout) {
        return fmt::format("timed out after {} ms", timeout.count());
    }
    if (error == asio::error::connection_refused) {
        return "connection refused";
    }
    if (error == asio::error::eof || error == asio::error::connection_reset) {
        return "connection closed by the service";
    }
    return error.message();
}

asio::awaitable<Result<beast::tcp_stream>> connect_to(asio::any_io_executor executor, const Address& address,
                                                      std::chrono::milliseconds timeout)
{
    beast::tcp_stream stream(executor);
    boost::system::error_code parse_error;
    const auto ip = asio::ip::make_address(address.host, parse_error);
    std::vector<asio::ip::tcp::endpoint> endpoints;
    if (!parse_error) {
        endpoints.emplace_back(ip, address.port);
    } else {
        asio::ip::tcp::resolver resolver(executor);
        const auto port = std::to_string(address.port);
        auto [error, results] =
            co_await resolver.async_resolve(address.host, port, asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return fail(ErrorKind::connect_failed,
                           fmt::format("cannot resolve '{}': {}", address.host, error.message()));
        }
        for (const auto& entry : results) {
            endpoints.push_back(entry.endpoint());
        }
    }
    stream.expires_after(timeout);
    auto [error, endpoint] = co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
    if (error) {
        const auto kind = error == beast::error::timeout ? ErrorKind::timeout : ErrorKind::connect_failed;
        co_return fail(kind,
                       fmt::format("connect to {}: {}", address.to_string(), describe_network_error(error, timeout)));
    }
    co_return std::move(stream);
}

} // namespace medic::probe
