#include "docker/event_stream.hpp"

#include <fmt/format.h>

#include "docker/json_codec.hpp"

namespace medic::docker {

void EventDecoder::add_line(std::string_view line, bool truncated)
{
    if (truncated) {
        m_ready.emplace_back(
            tl::unexpected(Error{ErrorKind::too_large, 0,
                                 fmt::format("event stream: an event over {} bytes was skipped", k_max_event_size)}));
        return;
    }
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
        return;
    }
    m_ready.push_back(parse_event(line));
}

void EventDecoder::feed(std::string_view bytes)
{
    m_lines.feed(bytes, [this](std::string_view line, bool truncated) { add_line(line, truncated); });
}

void EventDecoder::finish()
{
    m_lines.flush([this](std::string_view line, bool truncated) { add_line(line, truncated); });
}

std::optional<Result<Event>> EventDecoder::pop()
{
    if (m_ready.empty()) {
        return std::nullopt;
    }
    auto event = std::move(m_ready.front());
    m_ready.pop_front();
    return event;
}

boost::asio::awaitable<Result<std::optional<Event>>> EventStream::next(std::chrono::milliseconds idle_timeout)
{
    while (m_decoder.empty() && !m_finished) {
        auto piece = co_await m_response->read_some(idle_timeout);
        if (!piece) {
            co_return tl::unexpected(piece.error());
        }
        if (piece->empty()) {
            m_finished = true;
            m_decoder.finish();
            break;
        }
        m_decoder.feed(*piece);
    }
    auto event = m_decoder.pop();
    if (!event) {
        co_return std::optional<Event>{};
    }
    if (!*event) {
        co_return tl::unexpected(event->error());
    }
    co_return std::optional<Event>(std::move(**event));
}

} // namespace medic::docker
