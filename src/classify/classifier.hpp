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

/// A classified line.
struct Finding {
    ErrorType type = ErrorType::config_error;
    Severity severity = Severity::error;
    const Rule* rule = nullptr; ///< owned by the Classifier; null for derived findings (CRASH_LOOP)
    bool healable = false;
    Context context;
    std::string text; ///< the line as classified (without colour codes, capped)
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
