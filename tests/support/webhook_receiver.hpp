#pragma once
// A webhook receiver for tests, on 127.0.0.1: answers each request with the next
// status of its script (200 once the script is used up) and keeps what it got.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace medic::testing {

struct WebhookReceiver {
    WebhookReceiver(boost::asio::io_context& io, std::uint16_t port)
        : acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), port})
    {
    }

    [[nodiscard]] std::uint16_t port() const { return acceptor.local_endpoint().port(); }

    /// Serves `count` requests (the statuses first, then 200s).
    static boost::asio::awaitable<void> serve(WebhookReceiver* self, std::vector<unsigned> statuses, int count)
    {
        namespace asio = boost::asio;
        namespace http = boost::beast::http;
        for (int index = 0; index < count; ++index) {
            auto [accept_error, socket] = co_await self->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (accept_error) {
                co_return;
            }
            boost::beast::flat_buffer buffer;
            http::request<http::string_body> request;
            auto [read_error, read] =
                co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
            if (read_error) {
                continue;
            }
            self->bodies.push_back(request.body());
            self->content_types.emplace_back(request[http::field::content_type]);
            auto& headers = self->headers.emplace_back();
            for (const auto& field : request) {
                headers[std::string(field.name_string())] = std::string(field.value());
            }
            const auto status = static_cast<std::size_t>(index) < statuses.size() ? statuses[index] : 200U;
            http::response<http::string_body> response{static_cast<http::status>(status), 11};
            response.body() = "{}";
            response.prepare_payload();
            auto [write_error, written] =
                co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
            (void)write_error;
        }
    }

    boost::asio::ip::tcp::acceptor acceptor;
    std::vector<std::string> bodies;
    std::vector<std::string> content_types;
    std::vector<std::map<std::string, std::string>> headers; ///< each request's, by name as sent
};

} // namespace medic::testing
