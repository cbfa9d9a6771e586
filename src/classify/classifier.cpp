#include "classify/classifier.hpp"

#include <algorithm>

#include <hs/hs.h>
#include <re2/re2.h>

#include <fmt/format.h>

namespace medic::classify {
namespace {

/// Vectorscan has no named groups: (?P<name>...) becomes (...). A leading (?i)
/// becomes the caseless flag.
std::pair<std::string, unsigned> to_vectorscan(std::string_view pattern)
{
    unsigned flags = HS_FLAG_SINGLEMATCH;
    if (pattern.starts_with("(?i)")) {
        flags |= HS_FLAG_CASELESS;
        pattern.remove_prefix(4);
    }
    std::string converted;
    converted.reserve(pattern.size());
    for (std::size_t index = 0; index < pattern.size(); ++index) {
        if (pattern[index] == '\\' && index + 1 < pattern.size()) {
            converted += pattern.substr(index, 2);
            ++index;
            continue;
        }
        if (pattern.substr(index, 4) == "(?P<") {
            const auto close = pattern.find('>', index);
            if (close != std::string_view::npos) {
                converted += '(';
                index = close;
                continue;
            }
        }
        converted += pattern[index];
    }
    return {converted, flags};
}

} // namespace

struct Classifier::Compiled {
    RuleCatalog catalog;
    hs_database_t* database = nullptr;
    hs_database_t* block_database = nullptr; ///< every match, ^ and $ at line ends: for candidate_lines()
    hs_scratch_t* scratch = nullptr;
    std::vector<std::string> expressions; ///< as given to Vectorscan, kept for the block database
    std::vector<unsigned> flags;
    std::vector<std::size_t> pattern_rule;                     ///< pattern id -> rule index
    std::vector<std::vector<std::unique_ptr<RE2>>> extractors; ///< per rule, per pattern

    ~Compiled()
    {
        hs_free_scratch(scratch);
        hs_free_database(database);
        hs_free_database(block_database);
    }
};

std::string normalize_line(std::string_view line, std::size_t max_length)
{
    std::string text;
    text.reserve(std::min(line.size(), max_length));
    for (std::size_t index = 0; index < line.size() && text.size() < max_length; ++index) {
        const char character = line[index];
        if (character != '\x1b') {
            text += character;
            continue;
        }
        // CSI: ESC [ parameters intermediates final; OSC: ESC ] ... BEL or ESC \; else ESC + one char.
        if (index + 1 < line.size() && line[index + 1] == '[') {
            index += 2;
            while (index < line.size() &&
                   (static_cast<unsigned char>(line[index]) < 0x40 || static_cast<unsigned char>(line[index]) > 0x7e)) {
                ++index;
            }
        } else if (index + 1 < line.size() && line[index + 1] == ']') {
            index += 2;
            while (index < line.size() && line[index] != '\a' &&
                   !(line[index] == '\x1b' && index + 1 < line.size() && line[index + 1] == '\\')) {
                ++index;
            }
            if (index < line.size() && line[index] == '\x1b') {
                ++index;
            }
        } else {
            ++index;
        }
    }
    while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) {
        text.pop_back();
    }
    return text;
}

Classifier::Classifier(std::unique_ptr<Compiled> compiled) : m_compiled(std::move(compiled)) {}
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;
Classifier::~Classifier() = default;

const RuleCatalog& Classifier::catalog() const
{
    return m_compiled->catalog;
}

Result<Classifier> Classifier::create_embedded()
{
    auto catalog = RuleCatalog::load_embedded();
    if (!catalog) {
        return tl::unexpected(catalog.error());
    }
    return create(std::move(*catalog));
}

Result<Classifier> Classifier::create(RuleCatalog catalog)
{
    auto compiled = std::make_unique<Compiled>();
    compiled->catalog = std::move(catalog);
    std::vector<std::string> expressions;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingLatin1); // lines are bytes, not necessarily UTF-8
    options.set_log_errors(false);
    const auto& rules = compiled->catalog.rules();
    compiled->extractors.resize(rules.size());
    for (std::size_t rule_index = 0; rule_index < rules.size(); ++rule_index) {
        for (const auto& pattern : rules[rule_index].patterns) {
            auto extractor = std::make_unique<RE2>(pattern, options);
            if (!extractor->ok()) {
                return fail(ErrorKind::invalid_argument,
                            fmt::format("{}: rule '{}': pattern '{}': {}", rules[rule_index].source,
                                        rules[rule_index].id, pattern, extractor->error()));
            }
            compiled->extractors[rule_index].push_back(std::move(extractor));
            auto [expression, pattern_flags] = to_vectorscan(pattern);
            ids.push_back(static_cast<unsigned>(expressions.size()));
            expressions.push_back(std::move(expression));
            flags.push_back(pattern_flags);
            compiled->pattern_rule.push_back(rule_index);
        }
    }
    if (expressions.empty()) {
        return Classifier(std::move(compiled)); // an empty catalog finds nothing
    }
    std::vector<const char*> pointers;
    for (const auto& expression : expressions) {
        pointers.push_back(expression.c_str());
    }
    hs_compile_error_t* compile_error = nullptr;
    if (hs_compile_multi(pointers.data(), flags.data(), ids.data(), static_cast<unsigned>(pointers.size()),
                         HS_MODE_BLOCK, nullptr, &compiled->database, &compile_error) != HS_SUCCESS) {
        std::string message = compile_error != nullptr ? compile_error->message : "unknown error";
        std::string where = "the catalog";
        if (compile_error != nullptr && compile_error->expression >= 0) {
            const auto& rule = rules[compiled->pattern_rule[static_cast<std::size_t>(compile_error->expression)]];
            where = fmt::format("{}: rule '{}': pattern '{}'", rule.source, rule.id,
                                expressions[static_cast<std::size_t>(compile_error->expression)]);
        }
        hs_free_compile_error(compile_error);
        return fail(ErrorKind::invalid_argument, fmt::format("{}: Vectorscan cannot compile it: {}", where, message));
    }
    if (hs_alloc_scratch(compiled->database, &compiled->scratch) != HS_SUCCESS) {
        return fail(ErrorKind::io, "cannot allocate Vectorscan scratch space");
    }
    compiled->expressions = std::move(expressions);
    compiled->flags = std::move(flags);
    return Classifier(std::move(compiled));
}

std::string Finding::source_id() const
{
    return rule != nullptr ? rule->id : check;
}

namespace {

/// The named groups of the first of `extractors` that matches `text`, into `context`.
void extract(const std::vector<std::unique_ptr<RE2>>& extractors, std::string_view text, Context& context)
{
    for (const auto& extractor : extractors) {
        const int groups = extractor->NumberOfCapturingGroups();
        std::vector<re2::StringPiece> submatches(static_cast<std::size_t>(groups) + 1);
        if (!extractor->Match(text, 0, text.size(), RE2::UNANCHORED, submatches.data(), groups + 1)) {
            continue;
        }
        for (const auto& [name, group] : extractor->NamedCapturingGroups()) {
            const auto& value = submatches[static_cast<std::size_t>(group)];
            if (value.data() != nullptr) {
                context[name] = std::string(value.data(), value.size());
            }
        }
        return;
    }
}

} // namespace

std::optional<Finding> Classifier::classify(std::string_view line, std::optional<Channel> channel)
{
    return read_line(line, channel).finding;
}

LineReading Classifier::read_line(std::string_view line, std::optional<Channel> channel)
{
    if (m_compiled->database == nullptr) {
        return {};
    }
    // Most lines are already clean: scan them in place and copy only what matched.
    const bool clean = line.size() <= k_max_line_length && line.find('\x1b') == std::string_view::npos &&
                       (line.empty() || (line.back() != '\r' && line.back() != '\n'));
    std::string normalized;
    if (!clean) {
        normalized = normalize_line(line, k_max_line_length);
    }
    const std::string_view text = clean ? line : std::string_view(normalized);
    struct Scan {
        const Compiled* compiled;
        std::optional<Channel> channel;
        std::optional<std::size_t> best;
        std::vector<std::size_t> context_rules;
    } scan{m_compiled.get(), channel, std::nullopt, {}};
    auto on_match = [](unsigned int id, unsigned long long, unsigned long long, unsigned int, void* context) -> int {
        auto* state = static_cast<Scan*>(context);
        const std::size_t rule_index = state->compiled->pattern_rule[id];
        const auto& rules = state->compiled->catalog.rules();
        const auto& rule = rules[rule_index];
        if (state->channel && !rule.applies_to(*state->channel)) {
            return 0;
        }
        if (rule.role == RuleRole::context) {
            state->context_rules.push_back(rule_index);
            return 0;
        }
        if (!state->best || rule.priority > rules[*state->best].priority ||
            (rule.priority == rules[*state->best].priority && rule_index < *state->best)) {
            state->best = rule_index;
        }
        return 0;
    };
    if (hs_scan(m_compiled->database, text.data(), static_cast<unsigned>(text.size()), 0, m_compiled->scratch, on_match,
                &scan) != HS_SUCCESS) {
        return {};
    }
    LineReading reading;
    for (const auto rule_index : scan.context_rules) {
        extract(m_compiled->extractors[rule_index], text, reading.context);
    }
    if (!scan.best) {
        return reading;
    }
    const Rule& rule = m_compiled->catalog.rules()[*scan.best];
    Finding finding{rule.type, rule.severity, &rule, rule.healable, rule.fixed_context, std::string(text)};
    finding.role = rule.role;
    extract(m_compiled->extractors[*scan.best], text, finding.context);
    reading.finding = std::move(finding);
    return reading;
}

bool Classifier::compile_block_database()
{
    // Built on first use: the daemon classifies line by line and never needs it.
    auto& compiled = *m_compiled;
    std::vector<const char*> pointers;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;
    for (std::size_t index = 0; index < compiled.expressions.size(); ++index) {
        pointers.push_back(compiled.expressions[index].c_str());
        flags.push_back((compiled.flags[index] & ~static_cast<unsigned>(HS_FLAG_SINGLEMATCH)) | HS_FLAG_MULTILINE);
        ids.push_back(static_cast<unsigned>(index));
    }
    hs_compile_error_t* compile_error = nullptr;
    if (hs_compile_multi(pointers.data(), flags.data(), ids.data(), static_cast<unsigned>(pointers.size()),
                         HS_MODE_BLOCK, nullptr, &compiled.block_database, &compile_error) != HS_SUCCESS) {
        hs_free_compile_error(compile_error);
        compiled.block_database = nullptr;
        return false;
    }
    return hs_alloc_scratch(compiled.block_database, &compiled.scratch) == HS_SUCCESS;
}

void Classifier::candidate_lines(std::string_view block, std::vector<std::size_t>& line_starts)
{
    line_starts.clear();
    if (m_compiled->expressions.empty() || block.empty()) {
        return;
    }
    if (m_compiled->block_database == nullptr && !compile_block_database()) {
        // Without the bulk database every line is a candidate: slower, never wrong.
        std::size_t start = 0;
        while (start < block.size()) {
            line_starts.push_back(start);
            const auto newline = block.find('\n', start);
            start = newline == std::string_view::npos ? block.size() : newline + 1;
        }
        return;
    }
    struct Scan {
        std::string_view block;
        std::vector<std::size_t>* starts;
    } scan{block, &line_starts};
    auto on_match = [](unsigned int, unsigned long long, unsigned long long to, unsigned int, void* context) -> int {
        auto* state = static_cast<Scan*>(context);
        // The match ends in the line holding byte to-1 (or `to` for an empty match).
        const std::size_t last = to > 0 ? static_cast<std::size_t>(to - 1) : 0;
        const auto newline = state->block.rfind('\n', last > 0 && state->block[last] == '\n' ? last - 1 : last);
        const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
        if (state->starts->empty() || state->starts->back() != start) {
            state->starts->push_back(start);
        }
        return 0;
    };
    hs_scan(m_compiled->block_database, block.data(), static_cast<unsigned>(block.size()), 0, m_compiled->scratch,
            on_match, &scan);
    // Colour codes can hide a match from the raw scan: such lines are candidates too.
    // Both runs are in order, so a merge keeps the whole list sorted.
    const auto matched = static_cast<std::ptrdiff_t>(line_starts.size());
    for (auto escape = block.find('\x1b'); escape != std::string_view::npos; escape = block.find('\x1b', escape + 1)) {
        const auto newline = escape > 0 ? block.rfind('\n', escape - 1) : std::string_view::npos;
        const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
        if (line_starts.size() == static_cast<std::size_t>(matched) || line_starts.back() != start) {
            line_starts.push_back(start);
        }
        const auto end = block.find('\n', escape);
        if (end == std::string_view::npos) {
            break;
        }
        escape = end; // one entry per line, however many codes it holds
    }
    std::inplace_merge(line_starts.begin(), line_starts.begin() + matched, line_starts.end());
    line_starts.erase(std::unique(line_starts.begin(), line_starts.end()), line_starts.end());
}

} // namespace medic::classify
