#pragma once
// Opening a connection to an Endpoint: a unix socket, TCP, or TLS with its handshake.
// Private to src/docker/ (http_transport.cpp); apart from it so that each of the two
// compiles in about half the time the whole took.

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/result.hpp"
#include "docker/endpoint.hpp"

namespace boost::asio::ssl {
class context;
}

namespace medic {
class ByteStream;
}

namespace medic::docker {

/// The completion token of the transport's operations: an error comes back as a value,
/// never thrown. Defined once here: the sanitizer tree compiles both users in one batch.
inline constexpr auto k_nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

/// The TLS settings of a TLS endpoint: its CA (none: the system's CAs) and client
/// certificate files; fails with what could not be loaded.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsFiles& files);

/// Connects to `endpoint` (`tls` for a TLS one); `timeout` bounds the connection and
/// stays the deadline of the exchange that follows. Errors name `peer` ("cannot
/// connect to the Docker daemon at unix:///var/run/docker.sock: ...").
boost::asio::awaitable<Result<std::unique_ptr<ByteStream>>>
open_connection(boost::asio::any_io_executor executor, const Endpoint& endpoint, boost::asio::ssl::context* tls,
                std::chrono::milliseconds timeout, const std::string& peer);

} // namespace medic::docker
