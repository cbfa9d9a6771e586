#include "docker/log_stream.hpp"

namespace medic::docker {

LogStream::LogStream(std::unique_ptr<ResponseStream> response, StreamFraming framing, bool timestamps,
                     std::size_t max_line_length)
    : m_response(std::move(response)), m_decoder(framing, timestamps, max_line_length)
{
}

boost::asio::awaitable<Result<std::optional<LogLine>>> LogStream::next(std::chrono::milliseconds idle_timeout)
{
    while (m_decoder.empty() && !m_finished && !m_failure) {
        auto piece = co_await m_response->read_some(idle_timeout);
        Result<void> step;
        if (!piece) {
            step = tl::unexpected(piece.error());
        } else if (piece->empty()) {
            m_finished = true;
            step = m_decoder.finish();
        } else {
            step = m_decoder.feed(*piece);
        }
        if (!step) {
            m_failure = step.error();
        }
    }
    // Lines decoded before a failure are delivered before the failure itself.
    if (auto line = m_decoder.pop()) {
        co_return line;
    }
    if (m_failure) {
        co_return tl::unexpected(*m_failure);
    }
    co_return std::optional<LogLine>{};
}

} // namespace medic::docker
