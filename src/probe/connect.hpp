#pragma once
// A TCP connection for the network probes, resolved and connected within a timeout.
// Beast stays out of probe.hpp: only the probes that talk to a socket include this.

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "common/result.hpp"
#include "probe/probe.hpp"

namespace medic::probe {

/// Connects to `address`; the stream's timer is left at `timeout` from now for what follows.
boost::asio::awaitable<Result<boost::beast::tcp_stream>>
connect_to(boost::asio::any_io_executor executor, const Address& address, std::chrono::milliseconds timeout);

/// "timed out after 5 s", "connection refused", ... for an error of the network.
std::string describe_network_error(const boost::system::error_code& error, std::chrono::milliseconds timeout);

} // namespace medic::probe
