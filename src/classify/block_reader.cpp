#include "classify/block_reader.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace medic::classify {
namespace {

bool is_digit(char character)
{
    return character >= '0' && character <= '9';
}

/// The line without a compose-style "service  | " prefix, which `docker compose logs` adds.
std::string_view body_of(std::string_view line)
{
    const auto bar = line.find(" | ");
    if (bar != std::string_view::npos && bar > 0 && bar < 48 &&
        line.substr(0, bar).find_first_of("\"'{}[]") == std::string_view::npos &&
        line.substr(0, bar).find(": ") == std::string_view::npos) {
        return line.substr(bar + 3);
    }
    if (line.starts_with("\u2502 ")) { // "│ ": the box-drawn variant
        return line.substr(4);
    }
    return line;
}

bool is_blank(std::string_view line)
{
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool is_indented(std::string_view line)
{
    return !line.empty() && (line.front() == ' ' || line.front() == '\t');
}

/// A line that begins a log record of its own: a Redis, syslog, ISO-dated or logfmt
/// prefix, or a one-line JSON record. A header's block never swallows one.
bool starts_record(std::string_view line)
{
    std::size_t digits = 0;
    while (digits < line.size() && is_digit(line[digits])) {
        ++digits;
    }
    if (digits > 0 && digits + 2 < line.size() && line[digits] == ':' &&
        std::string_view("CMSX").find(line[digits + 1]) != std::string_view::npos && line[digits + 2] == ' ') {
        return true; // "1:M 28 Nov ..."
    }
    if (digits == 4 && line.size() > 10 && line[4] == '-' && line[7] == '-') {
        return true; // "2026-12-06 ..."
    }
    if (digits == 2 && line.size() > 8 && line[2] == ':' && line[5] == ':') {
        return true; // "12:19:59 ..."
    }
    return line.starts_with("[") || line.starts_with("<") || line.starts_with("{\"") || line.starts_with("time=") ||
           line.starts_with("level=") || line.starts_with("ts=");
}

/// "FATAL:  ...", "2026-... UTC [42] ERROR:  ...": a PostgreSQL message that DETAIL and HINT lines may follow.
bool is_postgres_message(std::string_view line)
{
    for (std::string_view severity : {"FATAL:", "PANIC:", "ERROR:", "LOG:", "WARNING:"}) {
        if (line.find(severity) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

bool is_postgres_continuation(std::string_view line)
{
    for (std::string_view label : {"DETAIL:", "HINT:", "CONTEXT:", "STATEMENT:"}) {
        const auto at = line.find(label);
        if (at != std::string_view::npos && at + label.size() < line.size() && line[at + label.size()] == ' ') {
            return true;
        }
    }
    return false;
}

/// "java.nio.file.AccessDeniedException: /data", "Exception in thread "main" ...",
/// "Error: EACCES: ...", "PermissionError: ...": a line a stack trace may follow.
bool opens_stack_trace(std::string_view line)
{
    if (line.starts_with("Exception in thread ")) {
        return true;
    }
    const auto colon = line.find(": ");
    const auto name = line.substr(0, colon == std::string_view::npos ? line.size() : colon);
    if (name.empty() || name.find(' ') != std::string_view::npos) {
        return false;
    }
    return name.ends_with("Exception") || name.ends_with("Error");
}

bool is_stack_frame(std::string_view line)
{
    const auto trimmed = line.substr(std::min(line.size(), line.find_first_not_of(" \t")));
    return (is_indented(line) && (trimmed.starts_with("at ") || trimmed.starts_with("... "))) ||
           line.starts_with("Caused by: ") || (is_indented(line) && trimmed.starts_with("Caused by: ")) ||
           (is_indented(line) && trimmed.starts_with("Suppressed: "));
}

bool is_go_panic_continuation(std::string_view line)
{
    return is_blank(line) || is_indented(line) || line.starts_with("goroutine ") || line.starts_with("[signal ") ||
           line.starts_with("exit status ") || line.starts_with("created by ") || line.ends_with(")") ||
           line.find(".go:") != std::string_view::npos;
}

/// The change of brace depth over a line, outside JSON strings.
int brace_balance(std::string_view line)
{
    int balance = 0;
    bool in_string = false;
    for (std::size_t index = 0; index < line.size(); ++index) {
        const char character = line[index];
        if (in_string) {
            if (character == '\\') {
                ++index;
            } else if (character == '"') {
                in_string = false;
            }
            continue;
        }
        if (character == '"') {
            in_string = true;
        } else if (character == '{') {
            ++balance;
        } else if (character == '}') {
            --balance;
        }
    }
    return balance;
}

int role_rank(RuleRole role)
{
    switch (role) {
    case RuleRole::cause: return 3;
    case RuleRole::symptom: return 2;
    case RuleRole::header: return 1;
    case RuleRole::context: return 0;
    }
    return 0;
}

/// The line a block's structure points at: a traceback's last line, a Java trace's last
/// "Caused by:", a Go panic's first line; none for the other kinds.
std::optional<std::size_t> preferred_line(BlockKind kind, const std::vector<BlockLine>& lines)
{
    std::optional<std::size_t> preferred;
    for (std::size_t index = 0; index < lines.size(); ++index) {
        if (!lines[index].reading.finding) {
            continue;
        }
        const auto body = body_of(lines[index].text);
        const auto trimmed = body.substr(std::min(body.size(), body.find_first_not_of(" \t")));
        if (kind == BlockKind::python_traceback ||
            (kind == BlockKind::stack_trace && trimmed.starts_with("Caused by: "))) {
            preferred = index; // the last one wins
        } else if (kind == BlockKind::go_panic && !preferred) {
            preferred = index;
        }
    }
    return preferred;
}

/// The block's lines as evidence: all of them up to 30, else the first 8, the deciding
/// one and the last 20, with a marker for each gap.
std::pair<std::vector<std::string>, std::size_t> evidence_of(const std::vector<BlockLine>& lines, std::size_t decided)
{
    constexpr std::size_t head = 8;
    constexpr std::size_t tail = 20;
    auto kept = [&](std::size_t index) {
        return lines.size() <= head + tail + 2 || index < head || index + tail >= lines.size() || index == decided;
    };
    std::vector<std::string> evidence;
    std::size_t decided_at = 0;
    std::size_t skipped = 0;
    for (std::size_t index = 0; index < lines.size(); ++index) {
        if (!kept(index)) {
            ++skipped;
            continue;
        }
        if (skipped > 0) {
            evidence.push_back(fmt::format("[... {} more lines ...]", skipped));
            skipped = 0;
        }
        if (index == decided) {
            decided_at = evidence.size();
        }
        evidence.push_back(lines[index].text.substr(0, BlockReader::k_max_evidence_length));
    }
    return {std::move(evidence), decided_at};
}

/// Messages of a JSON record ("msg", "message", "error", "err.message"): what a program logged, unquoted.
std::vector<std::string> json_messages(const std::vector<BlockLine>& lines)
{
    std::string joined;
    for (const auto& line : lines) {
        joined += body_of(line.text);
        joined += '\n';
    }
    auto parsed = nlohmann::json::parse(joined, nullptr, false);
    std::vector<std::string> messages;
    if (!parsed.is_object()) {
        return messages;
    }
    for (const char* key : {"msg", "message", "error", "err", "exception", "reason"}) {
        auto found = parsed.find(key);
        if (found == parsed.end()) {
            continue;
        }
        if (found->is_string()) {
            messages.push_back(found->get<std::string>());
        } else if (found->is_object() && found->contains("message") && (*found)["message"].is_string()) {
            messages.push_back((*found)["message"].get<std::string>());
        }
    }
    return messages;
}

} // namespace

std::string_view to_string(BlockKind kind)
{
    constexpr std::array<std::string_view, 7> k_names{
        "single", "header", "python_traceback", "stack_trace", "go_panic", "postgres_message", "json"};
    return k_names[static_cast<std::size_t>(kind)];
}

int rank_of(const Finding& finding)
{
    return role_rank(finding.role) * 100000 +
           (std::clamp(finding.rule != nullptr ? finding.rule->priority : 0, -999, 999) + 1000) * 10 +
           static_cast<int>(finding.severity);
}

std::optional<BlockFinding> decide_run(const std::vector<BlockFinding>& blocks)
{
    const BlockFinding* best = nullptr;
    for (const auto& block : blocks) {
        if (best == nullptr || rank_of(block.finding) >= rank_of(best->finding)) {
            best = &block;
        }
    }
    return best == nullptr ? std::nullopt : std::optional<BlockFinding>(*best);
}

std::optional<BlockFinding> decide_block(BlockKind kind, const std::vector<BlockLine>& lines)
{
    const auto preferred = preferred_line(kind, lines);
    std::optional<std::size_t> best;
    auto key = [&](std::size_t index) {
        const auto& finding = *lines[index].reading.finding;
        const bool is_preferred = preferred && *preferred == index;
        return std::make_tuple(role_rank(finding.role), is_preferred, rank_of(finding), index);
    };
    for (std::size_t index = 0; index < lines.size(); ++index) {
        if (lines[index].reading.finding && (!best || key(index) > key(*best))) {
            best = index;
        }
    }
    if (!best) {
        return std::nullopt;
    }
    BlockFinding decision;
    decision.kind = kind;
    decision.finding = *lines[*best].reading.finding;
    decision.written_ms = lines[*best].written_ms;
    // What the block's other lines say about where: context lines first, then the header's own values.
    for (const auto& line : lines) {
        for (const auto& [name, value] : line.reading.context) {
            decision.finding.context.emplace(name, value);
        }
    }
    for (const auto& line : lines) {
        if (line.reading.finding && line.reading.finding->role == RuleRole::header) {
            for (const auto& [name, value] : line.reading.finding->context) {
                decision.finding.context.emplace(name, value);
            }
        }
    }
    if (lines.size() > 1) {
        std::tie(decision.finding.evidence, decision.finding.decided) = evidence_of(lines, *best);
    }
    return decision;
}

bool BlockReader::continues(const BlockLine& line) const
{
    const auto body = body_of(line.text);
    switch (m_kind) {
    case BlockKind::header:
        return !starts_record(body) && !(is_blank(body) && m_lines.size() > 1) &&
               !(line.reading.finding && line.reading.finding->role == RuleRole::header);
    case BlockKind::python_traceback: return true; // indented frames, then the exception line that ends it (finished())
    case BlockKind::stack_trace: return is_stack_frame(body);
    case BlockKind::go_panic: return is_go_panic_continuation(body);
    case BlockKind::postgres_message: return is_postgres_continuation(body);
    case BlockKind::json: return m_json_depth > 0;
    case BlockKind::single: return false;
    }
    return false;
}

bool BlockReader::finished() const
{
    if (m_lines.size() >= k_max_block_lines) {
        return true;
    }
    const auto& last = m_lines.back();
    const auto body = body_of(last.text);
    switch (m_kind) {
    case BlockKind::header:
        // The reason follows the header: the block ends with the first line that names a cause.
        return m_lines.size() > 8 ||
               (m_lines.size() > 1 && last.reading.finding && last.reading.finding->role == RuleRole::cause);
    case BlockKind::python_traceback: return m_lines.size() > 1 && !is_indented(body) && !is_blank(body);
    case BlockKind::json: return m_json_depth <= 0;
    default: return false;
    }
}

void BlockReader::complete(std::vector<BlockFinding>& out)
{
    if (m_lines.empty()) {
        return;
    }
    auto kind = m_lines.size() == 1 ? BlockKind::single : m_kind;
    if (kind == BlockKind::json) {
        for (const auto& message : json_messages(m_lines)) {
            BlockLine extra{message, m_lines.front().written_ms, m_classifier->read_line(message, m_channel)};
            if (extra.reading.finding) {
                extra.reading.finding->text = message;
                m_lines.push_back(std::move(extra));
            }
        }
    }
    if (auto decision = decide_block(kind, m_lines)) {
        out.push_back(std::move(*decision));
    }
    m_lines.clear();
    m_kind = BlockKind::single;
    m_json_depth = 0;
}

void BlockReader::start(BlockLine line, std::vector<BlockFinding>& out)
{
    const auto body = body_of(line.text);
    const auto& finding = line.reading.finding;
    std::optional<BlockKind> kind;
    if (body.starts_with("Traceback (most recent call last)")) {
        kind = BlockKind::python_traceback;
    } else if (body.starts_with("panic: ") || body.starts_with("fatal error: ")) {
        kind = BlockKind::go_panic;
    } else if (finding && finding->role == RuleRole::header) {
        kind = BlockKind::header;
    } else if (!body.empty() && body.back() == '{' && brace_balance(body) > 0) {
        kind = BlockKind::json;
    } else if (opens_stack_trace(body)) {
        kind = BlockKind::stack_trace; // its cause may be a "Caused by:" further down
    } else if (is_postgres_message(body)) {
        kind = BlockKind::postgres_message;
    }
    if (!kind) {
        if (finding) { // a line on its own: decided at once
            std::vector<BlockLine> single;
            single.push_back(std::move(line));
            if (auto decision = decide_block(BlockKind::single, single)) {
                out.push_back(std::move(*decision));
            }
        }
        return;
    }
    m_kind = *kind;
    m_json_depth = m_kind == BlockKind::json ? brace_balance(body) : 0;
    m_lines.push_back(std::move(line));
}

std::vector<BlockFinding> BlockReader::push(std::string_view text, std::int64_t written_ms)
{
    std::vector<BlockFinding> out;
    BlockLine line{std::string(text), written_ms, m_classifier->read_line(text, m_channel)};
    if (!m_lines.empty()) {
        if (continues(line)) {
            if (m_kind == BlockKind::json) {
                m_json_depth += brace_balance(body_of(line.text));
            }
            m_lines.push_back(std::move(line));
            if (finished()) {
                complete(out);
            }
            return out;
        }
        complete(out);
    }
    if (is_blank(body_of(line.text))) {
        return out;
    }
    start(std::move(line), out);
    return out;
}

std::vector<BlockFinding> BlockReader::flush()
{
    std::vector<BlockFinding> out;
    complete(out);
    return out;
}

std::vector<BlockFinding> BlockReader::read_all(std::string_view text)
{
    std::vector<BlockFinding> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        for (auto& decision : push(text.substr(start, end - start), 0)) {
            out.push_back(std::move(decision));
        }
        start = end + 1;
    }
    for (auto& decision : flush()) {
        out.push_back(std::move(decision));
    }
    return out;
}

} // namespace medic::classify
