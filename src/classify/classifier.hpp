#pragma once
// Recognises errors in lines of text: every pattern of the catalog is compiled once
// into one Vectorscan database and matched in a single pass per line; RE2 then runs
// only for the rule that won, to extract its context (path, port, ...).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classify/rule_catalog.hpp"
#include "common/result.hpp"

namespace medic::classify {

/// A classified line, block of lines, or checked fact.
struct Finding {
    ErrorType type = ErrorType::config_error;
    Severity severity = Severity::error;
    const Rule* rule = nullptr; ///< owned by the Classifier; null for derived findings and checked facts
    bool healable = false;
    Context context;
    std::string text; ///< the line as classified (without colour codes, capped)
    RuleRole role = RuleRole::cause;
    /// For findings without a rule: what produced it ("crash-loop", "check-mount-writable").
    std::string check{};
    /// Every line that was read with it (a whole block, a check's observations); empty: `text` alone.
    std::vector<std::string> evidence{};
    std::size_t decided = 0; ///< the index in `evidence` of the line that decided

    /// The rule's id, else the check's name: what the incident and the playbooks call it.
    [[nodiscard]] std::string source_id() const;
};

/// What the catalog sees in one line: the finding, if a rule decides, and the values
/// of the context rules that matched (they add detail, never decide).
struct LineReading {
    std::optional<Finding> finding;
    Context context;
};

/// Removes ANSI escape sequences and a trailing CR, and caps the length: a line
/// longer than `max_length` is classified on its first part.
std::string normalize_line(std::string_view line, std::size_t max_length);

class Classifier {
public:
    static constexpr std::size_t k_max_line_length = 8U * 1024U;

    /// Compiles the catalog; a pattern Vectorscan or RE2 rejects is an error naming its rule.
    static Result<Classifier> create(RuleCatalog catalog);
    /// The catalog built into medic (rules/*.yaml), compiled.
    static Result<Classifier> create_embedded();

    Classifier(Classifier&&) noexcept;
    Classifier& operator=(Classifier&&) noexcept;
    ~Classifier();

    /// The finding for one line seen on `channel` (std::nullopt: any channel), if a
    /// rule matches: the highest priority wins, ties go to the earlier rule.
    std::optional<Finding> classify(std::string_view line, std::optional<Channel> channel = std::nullopt);

    /// As classify(), and the values of the context rules that match the line too.
    LineReading read_line(std::string_view line, std::optional<Channel> channel = std::nullopt);

    /// For bulk input: the start offsets of the lines of `block` (complete lines, each
    /// ending in '\n') in which classify() may find something; one Vectorscan pass
    /// over the whole block instead of one call per line. classify() decides.
    void candidate_lines(std::string_view block, std::vector<std::size_t>& line_starts);

    [[nodiscard]] const RuleCatalog& catalog() const;

private:
    struct Compiled;
    bool compile_block_database();
    explicit Classifier(std::unique_ptr<Compiled> compiled);
    std::unique_ptr<Compiled> m_compiled;
};

} // namespace medic::classify
