#include "docker/frame_demuxer.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace medic::docker {

std::string_view to_string(OutputStream stream)
{
    switch (stream) {
    case OutputStream::stdin_stream: return "stdin";
    case OutputStream::stdout_stream: return "stdout";
    case OutputStream::stderr_stream: return "stderr";
    }
    return "unknown";
}

Result<void> FrameDemuxer::parse_header()
{
    const unsigned stream = m_header[0];
    if (stream > 2 || m_header[1] != 0 || m_header[2] != 0 || m_header[3] != 0) {
        m_failed = true;
        return fail(ErrorKind::protocol,
                    fmt::format("log stream: invalid frame header at byte {} (bytes {:02x} {:02x} {:02x} {:02x}); "
                                "the stream is not multiplexed or is corrupt",
                                m_header_offset, m_header[0], m_header[1], m_header[2], m_header[3]));
    }
    const std::uint32_t size = (std::uint32_t{m_header[4]} << 24U) | (std::uint32_t{m_header[5]} << 16U) |
                               (std::uint32_t{m_header[6]} << 8U) | std::uint32_t{m_header[7]};
    if (size > m_max_frame_size) {
        m_failed = true;
        return fail(ErrorKind::too_large,
                    fmt::format("log stream: frame at byte {} announces {} bytes, over the limit of {} bytes",
                                m_header_offset, size, m_max_frame_size));
    }
    m_current = static_cast<OutputStream>(stream);
    m_payload_remaining = size;
    m_payload_size = size;
    m_header_filled = 0;
    return {};
}

Result<void> FrameDemuxer::feed(std::string_view bytes, const Sink& sink)
{
    if (m_failed) {
        return fail(ErrorKind::protocol, "log stream: input after a framing error");
    }
    while (!bytes.empty()) {
        if (m_payload_remaining > 0) {
            const std::size_t take = std::min<std::size_t>(m_payload_remaining, bytes.size());
            sink(m_current, bytes.substr(0, take));
            m_payload_remaining -= static_cast<std::uint32_t>(take);
            m_offset += take;
            bytes.remove_prefix(take);
            continue;
        }
        if (m_header_filled == 0) {
            m_header_offset = m_offset;
        }
        const std::size_t take = std::min(m_header.size() - m_header_filled, bytes.size());
        std::copy_n(bytes.begin(), take, m_header.begin() + static_cast<std::ptrdiff_t>(m_header_filled));
        m_header_filled += take;
        m_offset += take;
        bytes.remove_prefix(take);
        if (m_header_filled == m_header.size()) {
            if (auto parsed = parse_header(); !parsed) {
                return parsed;
            }
        }
    }
    return {};
}

Result<void> FrameDemuxer::finish() const
{
    if (m_header_filled > 0) {
        return fail(ErrorKind::truncated,
                    fmt::format("log stream: ended inside a frame header at byte {} ({} of 8 bytes)", m_header_offset,
                                m_header_filled));
    }
    if (m_payload_remaining > 0) {
        return fail(ErrorKind::truncated,
                    fmt::format("log stream: ended inside the frame at byte {} ({} of {} payload bytes received)",
                                m_header_offset, m_payload_size - m_payload_remaining, m_payload_size));
    }
    return {};
}

} // namespace medic::docker
