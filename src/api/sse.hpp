#pragma once
// One Server-Sent Events client: a queue of messages written in order, a keep-alive
// comment when nothing was sent for a while, and a reader that notices when the
// client goes. A client that falls too far behind is dropped, not buffered forever.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace medic::api {

using Message = std::shared_ptr<const std::string>;

/// "id: ...\nevent: ...\ndata: ...\n\n"; `data` must be one line (JSON is).
std::string format_event(std::string_view id, std::string_view event, std::string_view data);

class SseConnection {
public:
    static constexpr std::size_t k_max_queued_bytes = 8U * 1024U * 1024U;

    SseConnection(boost::asio::ip::tcp::socket socket, std::chrono::seconds keep_alive);

    /// Queues a message; a client whose queue goes over the limit is dropped (by the writer,
    /// so that send() never ends a stream under the caller's feet).
    void send(Message message);
    /// Writes what is queued, then ends the stream.
    void finish();
    /// Ends the stream now.
    void close();

    [[nodiscard]] bool closed() const { return m_closed; }

    /// Called once when the stream ends, whoever ends it.
    void on_closed(std::function<void()> callback) { m_on_closed = std::move(callback); }

    /// Writes the response header, then the queue until the client goes or finish()/close().
    /// `self` keeps the connection alive while its reader runs.
    static boost::asio::awaitable<void> run(std::shared_ptr<SseConnection> self, std::string header);

private:
    static boost::asio::awaitable<void> read_until_closed(std::shared_ptr<SseConnection> self);

    boost::asio::ip::tcp::socket m_socket;
    boost::asio::steady_timer m_wake;
    std::chrono::seconds m_keep_alive;
    std::deque<Message> m_queue;
    std::size_t m_queued_bytes = 0;
    std::function<void()> m_on_closed;
    bool m_finishing = false;
    bool m_dropping = false; ///< fell too far behind: closed by the writer
    bool m_closed = false;
};

} // namespace medic::api
