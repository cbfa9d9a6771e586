#pragma once
// The limits that keep medic from becoming a restart storm: a backoff between the
// playbooks of one container, a circuit breaker per container, and host-wide caps
// on actions. Pure bookkeeping: every call takes the time, so tests use a fake clock.
//
// Defaults, beside Docker's restart policy (100 ms doubling to 1 min, reset after 10 s
// up) and Kubernetes' CrashLoopBackOff (10 s doubling to 5 min, reset after 10 min up):
// the first playbook runs at once (medic knows the cause; waiting helps nobody), the
// next after 10 s, then 20 s, 40 s ... capped at 5 min, reset after 10 min without a
// new playbook; after 3 failed playbooks within 1 h the breaker opens and medic only
// tells a person until the window has passed. At most 2 actions at once and 20 per
// minute on the whole host.

#include <deque>
#include <map>
#include <string>

#include "incident/incident.hpp"

namespace medic::heal {

using incident::TimeMs;

struct LimitOptions {
    TimeMs backoff_initial = 10'000;
    TimeMs backoff_max = 300'000;
    TimeMs backoff_reset = 600'000; ///< a container quiet this long starts again without delay
    int breaker_failures = 3;
    TimeMs breaker_window = 3'600'000;
    int max_concurrent_actions = 2;
    int max_actions_per_minute = 20;
};

class HealLimits {
public:
    explicit HealLimits(LimitOptions options = {}) : m_options(options) {}

    /// The earliest time the next playbook of `container` may start.
    [[nodiscard]] TimeMs next_playbook_at(const std::string& container, TimeMs now) const;
    /// The delay the backoff asks before the next playbook of `container` (0 for the first).
    [[nodiscard]] TimeMs backoff(const std::string& container, TimeMs now) const;
    void playbook_started(const std::string& container, TimeMs now);
    void playbook_finished(const std::string& container, bool healed, TimeMs now);

    /// True after `breaker_failures` failed playbooks within the window.
    [[nodiscard]] bool circuit_open(const std::string& container, TimeMs now) const;
    /// A person resolved the container's trouble: backoff and breaker start afresh.
    void reset(const std::string& container);

    /// Takes a host-wide action slot; false when the caps are reached (try again later).
    bool try_begin_action(TimeMs now);
    void end_action();

    [[nodiscard]] const LimitOptions& options() const { return m_options; }

private:
    struct History {
        int streak = 0; ///< playbooks since the container was last quiet for backoff_reset
        TimeMs last_finished = 0;
        std::deque<TimeMs> failures;
    };

    LimitOptions m_options;
    std::map<std::string, History> m_history;
    std::deque<TimeMs> m_recent_actions;
    int m_running_actions = 0;
};

} // namespace medic::heal
