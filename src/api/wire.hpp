#pragma once
// Private to src/api/: Beast's server-side read of a request and write of a reply,
// compiled once in wire.cpp. They are the heaviest templates of the server; apart
// from the connection loop (api_server.cpp), each of the two files compiles in about
// half the time the whole took.

#include <cstddef>
#include <tuple>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "api/http.hpp"

namespace medic::api {

/// Reads one request into `parser`, with the stream's deadline; the error and the bytes read.
boost::asio::awaitable<std::tuple<boost::beast::error_code, std::size_t>>
read_request(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
             http::request_parser<http::string_body>& parser);

/// Writes a whole reply, with the stream's deadline.
boost::asio::awaitable<boost::beast::error_code> write_response(boost::beast::tcp_stream& stream, Response& response);

} // namespace medic::api
