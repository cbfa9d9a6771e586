#include "api/sse.hpp"

#include <array>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "common/task_group.hpp"

namespace medic::api {

namespace asio = boost::asio;

std::string format_event(std::string_view id, std::string_view event, std::string_view data)
{
    std::string message;
    message.reserve(data.size() + id.size() + event.size() + 24);
    if (!id.empty()) {
        message.append("id: ").append(id).append("\n");
    }
    if (!event.empty()) {
        message.append("event: ").append(event).append("\n");
    }
    message.append("data: ").append(data).append("\n\n");
    return message;
}

SseConnection::SseConnection(asio::ip::tcp::socket socket, std::chrono::seconds keep_alive)
    : m_socket(std::move(socket)), m_wake(m_socket.get_executor()), m_keep_alive(keep_alive)
{
}

void SseConnection::send(Message message)
{
    if (m_closed || m_finishing || m_dropping) {
        return;
    }
    m_queued_bytes += message->size();
    m_queue.push_back(std::move(message));
    if (m_queued_bytes > k_max_queued_bytes) {
        // A client that does not read does not get to hold medic's memory. Closed by the
        // writer, not here: the caller may be going through a list of clients.
        m_dropping = true;
        m_queue.clear();
        m_queued_bytes = 0;
    }
    m_wake.cancel();
}

void SseConnection::finish()
{
    m_finishing = true;
    m_wake.cancel();
}

void SseConnection::close()
{
    if (m_closed) {
        return;
    }
    m_closed = true;
    m_queue.clear();
    m_queued_bytes = 0;
    boost::system::error_code ignored;
    m_socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    m_socket.close(ignored);
    m_wake.cancel();
    if (auto callback = std::exchange(m_on_closed, nullptr)) {
        callback();
    }
}

asio::awaitable<void> SseConnection::read_until_closed(std::shared_ptr<SseConnection> self)
{
    std::array<char, 256> ignored{};
    while (!self->m_closed) {
        auto [error, size] =
            co_await self->m_socket.async_read_some(asio::buffer(ignored), asio::as_tuple(asio::use_awaitable));
        if (error) {
            break; // the client went (or the connection was closed here)
        }
    }
    self->close();
}

asio::awaitable<void> SseConnection::run(std::shared_ptr<SseConnection> self, std::string header)
{
    auto [header_error, header_size] =
        co_await asio::async_write(self->m_socket, asio::buffer(header), asio::as_tuple(asio::use_awaitable));
    if (header_error) {
        self->close();
        co_return;
    }
    asio::co_spawn(self->m_socket.get_executor(), read_until_closed(self), LogFailure{"live stream reader"});
    const auto keep_alive = std::make_shared<const std::string>(": keep-alive\n\n");
    std::vector<Message> batch;
    std::vector<asio::const_buffer> buffers;
    while (!self->m_closed && !self->m_dropping) {
        if (self->m_queue.empty()) {
            if (self->m_finishing) {
                break;
            }
            self->m_wake.expires_after(self->m_keep_alive);
            auto [wait_error] = co_await self->m_wake.async_wait(asio::as_tuple(asio::use_awaitable));
            if (self->m_closed || self->m_dropping) {
                break;
            }
            if (!wait_error && self->m_queue.empty()) {
                self->m_queue.push_back(keep_alive);
            }
            continue;
        }
        batch.clear();
        buffers.clear();
        while (!self->m_queue.empty() && batch.size() < 256) {
            batch.push_back(std::move(self->m_queue.front()));
            self->m_queue.pop_front();
            self->m_queued_bytes -= std::min(self->m_queued_bytes, batch.back()->size());
            buffers.emplace_back(asio::buffer(*batch.back()));
        }
        auto [error, size] = co_await asio::async_write(self->m_socket, buffers, asio::as_tuple(asio::use_awaitable));
        if (error) {
            break;
        }
    }
    self->close();
}

} // namespace medic::api
