#include "docker/log_stream.hpp"

namespace medic::docker {

LogStream::LogStream(std::unique_ptr<ResponseStream> response, StreamFraming framing, bool timestamps,
                     std::size_t max_line_length)
    : m_response(std::move(response)), m_decoder(framing, timestamps, max_line_length)
{
}

boost::asio::awaitable<Result<std::optional<LogLine>>> LogStream::next(std::chrono::milliseconds idle_timeout)
{
    while (m_decoder.empty() && !m_finished) {
        auto piece = co_await m_response->read_some(idle_timeout);
        if (!piece) {
            co_return tl::unexpected(piece.error());
        }
        if (piece->empty()) {
            m_finished = true;
            if (auto finished = m_decoder.finish(); !finished) {
                co_return tl::unexpected(finished.error());
            }
            break;
        }
        if (auto fed = m_decoder.feed(*piece); !fed) {
            co_return tl::unexpected(fed.error());
        }
    }
    co_return m_decoder.pop();
}

} // namespace medic::docker
