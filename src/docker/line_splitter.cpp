#include "docker/line_splitter.hpp"

#include <algorithm>

namespace medic::docker {

void LineSplitter::emit(std::string_view line, bool truncated, const Sink& sink)
{
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    sink(line, truncated);
}

void LineSplitter::feed(std::string_view bytes, const Sink& sink)
{
    while (!bytes.empty()) {
        const std::size_t newline = bytes.find('\n');
        const std::string_view piece = bytes.substr(0, newline);
        if (m_skipping) {
            // The overlong line was already delivered; drop the rest up to its end.
        } else if (m_partial.empty() && newline != std::string_view::npos && piece.size() <= m_max_line_length) {
            emit(piece, false, sink); // fast path: a whole line inside one piece, no copy
        } else {
            const std::size_t room = m_max_line_length - m_partial.size();
            m_partial.append(piece.substr(0, std::min(room, piece.size())));
            if (piece.size() > room) {
                emit(m_partial, true, sink);
                m_partial.clear();
                m_skipping = true;
            } else if (newline != std::string_view::npos) {
                emit(m_partial, false, sink);
                m_partial.clear();
            }
        }
        if (newline == std::string_view::npos) {
            return;
        }
        m_skipping = false;
        bytes.remove_prefix(newline + 1);
    }
}

void LineSplitter::flush(const Sink& sink)
{
    if (!m_partial.empty()) {
        emit(m_partial, false, sink);
        m_partial.clear();
    }
    m_skipping = false;
}

} // namespace medic::docker
