#include "api/wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace medic::api {

namespace asio = boost::asio;
namespace beast = boost::beast;

asio::awaitable<std::tuple<beast::error_code, std::size_t>>
read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser)
{
    co_return co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<beast::error_code> write_response(beast::tcp_stream& stream, Response& response)
{
    auto [error, written] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    (void)written;
    co_return error;
}

} // namespace medic::api
