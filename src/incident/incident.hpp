#pragma once
// One open problem of one container: findings of one type within a window,
// counted, with the log lines around the first match, and a lifecycle.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.hpp"

namespace medic::incident {

enum class IncidentState : std::uint8_t { open, healing, resolved, escalated };

std::string_view to_string(IncidentState state);
std::optional<IncidentState> parse_incident_state(std::string_view text);

/// The container id and name of incidents about the host itself (a disk, its memory).
inline constexpr std::string_view k_host = "host";

/// Milliseconds since the epoch; time is injected everywhere it matters.
using TimeMs = std::int64_t;

struct Incident {
    std::int64_t id = 0;
    std::string container_id;
    std::string container_name;
    classify::ErrorType type = classify::ErrorType::config_error;
    classify::Severity severity = classify::Severity::error;
    std::string rule; ///< the rule of the first finding ("" for derived types)
    IncidentState state = IncidentState::open;
    int count = 0;
    TimeMs first_seen = 0;
    TimeMs last_seen = 0;
    TimeMs resolved_at = 0;
    TimeMs signal_time = 0; ///< when the first line was written (the daemon's timestamp), for time to detect
    classify::Context context;
    std::string message; ///< the first matching line
    std::vector<std::string> lines_before;
    std::vector<std::string> lines_after;
    std::string note; ///< for a person: what medic tried and saw, and what to do next
    /// Every line read with its findings (a whole block, a check's observations), and
    /// which one decided the type: what a person reads to see why medic thinks so.
    std::vector<std::string> evidence{};
    std::size_t decided = 0;
    classify::RuleRole role = classify::RuleRole::cause; ///< the best role among its findings

    [[nodiscard]] bool is_open() const { return state == IncidentState::open || state == IncidentState::healing; }
};

} // namespace medic::incident
