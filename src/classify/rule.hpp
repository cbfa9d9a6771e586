#pragma once
// One entry of the error catalog (rules/*.yaml), as loaded and validated.

#include <bitset>
#include <map>
#include <string>
#include <vector>

#include "classify/error_type.hpp"

namespace medic::classify {

using Context = std::map<std::string, std::string>;

struct RuleSample {
    std::string text;
    Context context; ///< values the finding must carry
};

struct Rule {
    std::string id;
    ErrorType type = ErrorType::config_error;
    Severity severity = Severity::error;
    std::bitset<k_channel_count> channels;
    bool healable = false;
    RuleRole role = RuleRole::cause;
    int priority = 0;
    std::string description;
    std::vector<std::string> patterns; ///< Vectorscan- and RE2-compatible; named groups give context
    Context fixed_context;
    std::vector<RuleSample> match_samples;
    std::vector<std::string> near_miss_samples;
    std::string source; ///< "rules/redis.yaml:12", for messages

    [[nodiscard]] bool applies_to(Channel channel) const { return channels.test(static_cast<std::size_t>(channel)); }
};

} // namespace medic::classify
