#pragma once
// Docker's multiplexed stdout/stderr framing (logs and attach/exec without a TTY):
// each frame is an 8-byte header {stream, 0, 0, 0, size as big-endian uint32}
// followed by `size` bytes of payload. Frames arrive split across reads in any way.

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

#include "common/result.hpp"

namespace medic::docker {

/// Which stream a piece of container output came from.
enum class OutputStream : std::uint8_t { stdin_stream = 0, stdout_stream = 1, stderr_stream = 2 };

std::string_view to_string(OutputStream stream);

/// Splits a multiplexed byte stream into payload pieces, without buffering whole
/// frames: memory stays constant whatever a header announces.
class FrameDemuxer {
public:
    /// Receives each payload piece in order; a frame's payload may come in several pieces.
    using Sink = std::function<void(OutputStream, std::string_view)>;

    static constexpr std::uint32_t k_default_max_frame_size = 64U * 1024U * 1024U;

    explicit FrameDemuxer(std::uint32_t max_frame_size = k_default_max_frame_size) : m_max_frame_size(max_frame_size) {}

    /// Consumes `bytes`, passing payload to `sink`. A header with an unknown stream,
    /// non-zero padding or a size over the limit is an error naming the byte offset;
    /// after an error the demuxer refuses further input.
    Result<void> feed(std::string_view bytes, const Sink& sink);

    /// Called when the stream ends: an error when it ended inside a header or a payload.
    [[nodiscard]] Result<void> finish() const;

    /// Total bytes consumed so far.
    [[nodiscard]] std::uint64_t offset() const { return m_offset; }

private:
    Result<void> parse_header();

    std::uint32_t m_max_frame_size;
    std::array<unsigned char, 8> m_header{};
    std::size_t m_header_filled = 0;
    std::uint32_t m_payload_remaining = 0;
    std::uint32_t m_payload_size = 0;
    OutputStream m_current = OutputStream::stdout_stream;
    std::uint64_t m_offset = 0;
    std::uint64_t m_header_offset = 0;
    bool m_failed = false;
};

} // namespace medic::docker
