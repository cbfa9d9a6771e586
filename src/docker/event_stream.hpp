#pragma once
// The daemon's event stream (GET /events): newline-delimited JSON objects.

#include <deque>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "docker/http_transport.hpp"
#include "docker/line_splitter.hpp"
#include "docker/types.hpp"

namespace medic::docker {

/// Decodes event JSON lines; a line that is not a valid event becomes an error in
/// the queue, and the events after it still decode.
class EventDecoder {
public:
    static constexpr std::size_t k_max_event_size = 1024U * 1024U;

    EventDecoder() : m_lines(k_max_event_size) {}

    void feed(std::string_view bytes);
    void finish();
    std::optional<Result<Event>> pop();
    [[nodiscard]] bool empty() const { return m_ready.empty(); }

private:
    void add_line(std::string_view line, bool truncated);

    LineSplitter m_lines;
    std::deque<Result<Event>> m_ready;
};

class EventStream {
public:
    explicit EventStream(std::unique_ptr<ResponseStream> response) : m_response(std::move(response)) {}

    /// The next event; std::nullopt when the daemon ended the stream (an `until`
    /// was reached, or the daemon shut down). A malformed event is an
    /// ErrorKind::protocol error, and reading may go on after it.
    boost::asio::awaitable<Result<std::optional<Event>>> next(std::chrono::milliseconds idle_timeout = {});

    void close() { m_response->close(); }

private:
    std::unique_ptr<ResponseStream> m_response;
    EventDecoder m_decoder;
    bool m_finished = false;
};

} // namespace medic::docker
