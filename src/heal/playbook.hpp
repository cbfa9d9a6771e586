#pragma once
// Playbooks are data (playbooks/*.yaml, embedded; a config file may replace them):
// for an error type, and optionally a profile and rules, the ordered actions from the
// gentlest to the strongest, with tries, delays and a cap on the attempts, and the
// advice a person gets when medic has to escalate.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "classify/error_type.hpp"
#include "classify/rule_catalog.hpp"
#include "common/result.hpp"
#include "heal/action.hpp"
#include "heal/profile.hpp"

namespace medic::heal {

struct PlaybookStep {
    const Action* action = nullptr;
    int tries = 1;                         ///< runs of this step before escalating to the next
    std::chrono::milliseconds delay{1000}; ///< before each run (1-10 s)
};

/// How a step is judged.
enum class Verification : std::uint8_t {
    service, ///< the container runs, stays up, is healthy and answers its profile's readiness check
    action,  ///< the action's own result (the trouble is not the container's: a name held elsewhere)
};

/// What medic does when the container still runs (and is not unhealthy).
enum class WhenRunning : std::uint8_t {
    wait, ///< nothing yet: a log line alone does not justify disturbing a working service
    heal, ///< act: the trouble is real while it runs (health check failing, network lost)
};

struct Playbook {
    classify::ErrorType type = classify::ErrorType::config_error;
    WhenRunning when_running = WhenRunning::wait;
    std::optional<Profile> profile;
    std::set<std::string> rules; ///< empty: any rule of the type
    int attempts = 3;            ///< action runs in one playbook, at most
    Verification verify = Verification::service;
    std::vector<PlaybookStep> steps; ///< empty: nothing medic can do, escalate with the advice
    std::string advice;
    std::string source; ///< file:line
};

class PlaybookCatalog {
public:
    /// Parses and validates; an unknown key or action, a bad type, profile or number is
    /// an error naming the file and line.
    static Result<PlaybookCatalog> load(const std::vector<classify::RuleSource>& sources);
    static Result<PlaybookCatalog> load_embedded();

    /// The most specific playbook for an incident: one naming its rule, then its
    /// profile, then its type alone; null when there is none.
    [[nodiscard]] const Playbook* find(classify::ErrorType type, Profile profile, const std::string& rule) const;

    [[nodiscard]] const std::vector<Playbook>& playbooks() const { return m_playbooks; }

private:
    std::vector<Playbook> m_playbooks;
};

/// The playbook files embedded at build time.
const std::vector<classify::RuleSource>& embedded_playbook_sources();

} // namespace medic::heal
