#include "docker/log_decoder.hpp"

namespace medic::docker {

std::pair<std::string_view, std::string_view> split_timestamp(std::string_view line)
{
    // RFC 3339 timestamps start with a four-digit year and contain no space.
    const auto space = line.find(' ');
    if (space == std::string_view::npos || space < 20 || line[4] != '-' || line[10] != 'T') {
        return {std::string_view{}, line};
    }
    return {line.substr(0, space), line.substr(space + 1)};
}

LogDecoder::LogDecoder(StreamFraming framing, bool timestamps, std::size_t max_line_length)
    : m_framing(framing), m_timestamps(timestamps), m_stdout(max_line_length), m_stderr(max_line_length)
{
}

LineSplitter& LogDecoder::splitter_for(OutputStream stream)
{
    return stream == OutputStream::stderr_stream ? m_stderr : m_stdout;
}

void LogDecoder::add_line(OutputStream stream, std::string_view text, bool truncated)
{
    LogLine line;
    line.stream = stream;
    line.truncated = truncated;
    if (m_timestamps) {
        auto [timestamp, rest] = split_timestamp(text);
        line.timestamp = std::string(timestamp);
        text = rest;
    }
    line.text = std::string(text);
    m_ready.push_back(std::move(line));
}

Result<void> LogDecoder::feed(std::string_view bytes)
{
    if (m_framing == StreamFraming::raw) {
        m_stdout.feed(bytes, [this](std::string_view text, bool truncated) {
            add_line(OutputStream::stdout_stream, text, truncated);
        });
        return {};
    }
    return m_demuxer.feed(bytes, [this](OutputStream stream, std::string_view payload) {
        splitter_for(stream).feed(
            payload, [this, stream](std::string_view text, bool truncated) { add_line(stream, text, truncated); });
    });
}

Result<void> LogDecoder::finish()
{
    // A stream cut inside a frame still delivers what arrived of its last line, marked truncated.
    Result<void> framing = m_framing == StreamFraming::multiplexed ? m_demuxer.finish() : Result<void>{};
    const bool cut = !framing;
    for (auto stream : {OutputStream::stdout_stream, OutputStream::stderr_stream}) {
        splitter_for(stream).flush(
            [this, stream, cut](std::string_view text, bool truncated) { add_line(stream, text, truncated || cut); });
    }
    return framing;
}

std::optional<LogLine> LogDecoder::pop()
{
    if (m_ready.empty()) {
        return std::nullopt;
    }
    LogLine line = std::move(m_ready.front());
    m_ready.pop_front();
    return line;
}

} // namespace medic::docker
