#pragma once
// Turns pieces of a byte stream into lines with a bounded buffer: a line longer
// than the limit is delivered as its first `max_line_length` bytes, marked
// truncated, and the rest of it is skipped — never buffered whole.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace medic::docker {

class LineSplitter {
public:
    /// Receives each complete line without its "\n" (and without a trailing "\r").
    using Sink = std::function<void(std::string_view line, bool truncated)>;

    static constexpr std::size_t k_default_max_line_length = 64U * 1024U;

    explicit LineSplitter(std::size_t max_line_length = k_default_max_line_length) : m_max_line_length(max_line_length)
    {
    }

    /// Consumes a piece of the stream; complete lines go to `sink`.
    void feed(std::string_view bytes, const Sink& sink);

    /// Delivers a last line that had no "\n" (the stream ended).
    void flush(const Sink& sink);

    /// Bytes held for an incomplete line; never more than the limit.
    [[nodiscard]] std::size_t buffered() const { return m_partial.size(); }

private:
    void emit(std::string_view line, bool truncated, const Sink& sink);

    std::size_t m_max_line_length;
    std::string m_partial;
    bool m_skipping = false; ///< inside the rest of a line already delivered truncated
};

} // namespace medic::docker
