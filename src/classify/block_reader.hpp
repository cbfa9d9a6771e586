#pragma once
// Reads a log as its programs write it: one error is often several lines. A Redis
// config error block, a PostgreSQL message with its DETAIL and HINT, a Python or
// Java traceback, a Go panic, a pretty-printed JSON record: each is one block,
// classified as a whole. A line that names a cause decides over a symptom or a
// header; a traceback's last line and a Java trace's last "Caused by:" come first;
// the block's context lines (">>> 'dir "/data"'") add what the cause line leaves out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.hpp"

namespace medic::classify {

enum class BlockKind : std::uint8_t { single, header, python_traceback, stack_trace, go_panic, postgres_message, json };

std::string_view to_string(BlockKind kind);

/// One line of a block, with what the catalog saw in it.
struct BlockLine {
    std::string text;
    std::int64_t written_ms = 0;
    LineReading reading;
};

/// A block's decision: the finding of the line that decided, with every line of the
/// block as its evidence (`finding.evidence`, `finding.decided`).
struct BlockFinding {
    Finding finding;
    BlockKind kind = BlockKind::single;
    std::int64_t written_ms = 0; ///< when the deciding line was written
};

/// Decides a block: nothing when no line of it names a problem.
std::optional<BlockFinding> decide_block(BlockKind kind, const std::vector<BlockLine>& lines);

/// The cause of a failure from the decisions of its blocks (a run of a container, a
/// pasted log): the best role, then rank, then the later block (nearer the exit).
std::optional<BlockFinding> decide_run(const std::vector<BlockFinding>& blocks);

/// Rank of a finding when findings compete for the cause of a failure: role first
/// (cause > symptom > header), then priority, then severity.
int rank_of(const Finding& finding);

class BlockReader {
public:
    static constexpr std::size_t k_max_block_lines = 200;
    static constexpr std::size_t k_max_evidence_length = 512; ///< per line kept as evidence

    /// `channel` std::nullopt: every rule applies (text pasted by a person).
    explicit BlockReader(Classifier& classifier, std::optional<Channel> channel = Channel::log)
        : m_classifier(&classifier), m_channel(channel)
    {
    }

    /// Reads one line; answers the decisions of the blocks it completed (most lines
    /// complete themselves at once: only a line that may open a block waits).
    std::vector<BlockFinding> push(std::string_view line, std::int64_t written_ms);

    /// Completes the block still open (the stream ended, or it went quiet).
    std::vector<BlockFinding> flush();

    /// True while a block waits for its next line.
    [[nodiscard]] bool pending() const { return !m_lines.empty(); }

    /// Reads every line of `text` and flushes: the decisions, in order.
    std::vector<BlockFinding> read_all(std::string_view text);

private:
    void complete(std::vector<BlockFinding>& out);
    void start(BlockLine line, std::vector<BlockFinding>& out);
    [[nodiscard]] bool continues(const BlockLine& line) const;
    [[nodiscard]] bool finished() const;

    Classifier* m_classifier;
    std::optional<Channel> m_channel;
    BlockKind m_kind = BlockKind::single;
    std::vector<BlockLine> m_lines;
    int m_json_depth = 0;
};

} // namespace medic::classify
