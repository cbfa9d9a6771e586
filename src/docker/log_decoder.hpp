#pragma once
// Turns the bytes of a log stream (multiplexed frames or a raw TTY stream) into
// LogLines, with the daemon's timestamp split off when the stream carries one.

#include <deque>
#include <optional>

#include "common/result.hpp"
#include "docker/frame_demuxer.hpp"
#include "docker/line_splitter.hpp"
#include "docker/types.hpp"

namespace medic::docker {

enum class StreamFraming { multiplexed, raw };

class LogDecoder {
public:
    LogDecoder(StreamFraming framing, bool timestamps, std::size_t max_line_length);

    /// Consumes bytes; decoded lines wait in the queue. A framing error is returned
    /// and the decoder accepts nothing afterwards.
    Result<void> feed(std::string_view bytes);

    /// The stream ended: flushes last partial lines; an error when it ended inside a frame.
    Result<void> finish();

    /// The next decoded line, if any.
    std::optional<LogLine> pop();

    [[nodiscard]] bool empty() const { return m_ready.empty(); }

private:
    void add_line(OutputStream stream, std::string_view text, bool truncated);
    LineSplitter& splitter_for(OutputStream stream);

    StreamFraming m_framing;
    bool m_timestamps;
    FrameDemuxer m_demuxer;
    LineSplitter m_stdout;
    LineSplitter m_stderr;
    std::deque<LogLine> m_ready;
};

/// Splits "2024-05-01T10:00:00.123456789Z text" into the timestamp and the text.
std::pair<std::string_view, std::string_view> split_timestamp(std::string_view line);

} // namespace medic::docker
