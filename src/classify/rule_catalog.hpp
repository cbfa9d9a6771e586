#pragma once
// The error catalog: rules loaded from YAML (the files under rules/, embedded in
// the binary at build time). Adding an error rule is adding data plus samples.

#include <string>
#include <string_view>
#include <vector>

#include "classify/rule.hpp"
#include "common/result.hpp"

namespace medic::classify {

/// A rule file's name and text.
struct RuleSource {
    std::string name; ///< e.g. rules/redis.yaml
    std::string text;
};

class RuleCatalog {
public:
    /// Parses and validates every file; an unknown key, a missing field, a bad
    /// value or a duplicate id is an error naming the file and line.
    static Result<RuleCatalog> load(const std::vector<RuleSource>& sources);

    /// The catalog built into the binary.
    static Result<RuleCatalog> load_embedded();

    [[nodiscard]] const std::vector<Rule>& rules() const { return m_rules; }

private:
    std::vector<Rule> m_rules;
};

/// The rule files embedded at build time, in file-name order.
const std::vector<RuleSource>& embedded_rule_sources();

} // namespace medic::classify
