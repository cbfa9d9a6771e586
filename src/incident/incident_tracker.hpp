#pragma once
// Turns findings into incidents: findings of one type on one container within a
// window are one incident with a count; repeated exits become one CRASH_LOOP
// incident; a container that is healthy again resolves its open incidents.

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "classify/classifier.hpp"
#include "incident/incident.hpp"
#include "store/store.hpp"

namespace medic::incident {

struct TrackerOptions {
    TimeMs window = 10LL * 60 * 1000;       ///< findings closer than this join the open incident
    std::size_t context_lines = 5;          ///< log lines kept before and after the first match
    int crash_loop_exits = 3;               ///< this many exits ...
    TimeMs crash_loop_window = 60LL * 1000; ///< ... within this time are a crash loop
    std::size_t max_evidence_lines = 60;    ///< evidence an incident keeps
};

/// Who a signal is about.
struct ContainerRef {
    std::string id;
    std::string name;
};

class IncidentTracker {
public:
    IncidentTracker(store::Store& store, TrackerOptions options = {}) : m_store(store), m_options(options) {}

    /// Every log line of a container passes here, for the lines before and after a match.
    void on_log_line(const ContainerRef& container, const std::string& text);

    /// Records a finding; returns the incident it opened or joined.
    Incident on_finding(const ContainerRef& container, const classify::Finding& finding, classify::Channel channel,
                        TimeMs now, TimeMs signal_time);

    /// A container exited: a CRASH_LOOP incident when exits repeat within the window.
    std::optional<Incident> on_exit(const ContainerRef& container, int exit_code, TimeMs now);

    /// The container is healthy again: its open incidents are resolved and returned (a suspected
    /// compromise stays: a person resolves it).
    std::vector<Incident> on_healthy(const ContainerRef& container, TimeMs now);

    [[nodiscard]] std::vector<Incident> open_incidents() const;

    /// The tracked incident with `id`, if it is still tracked.
    [[nodiscard]] std::optional<Incident> find(std::int64_t id) const;

    /// Moves an incident to `state` with a note for a person. A resolved incident, or one
    /// escalated without `keep_tracking`, stops collecting findings: the next finding of
    /// its type opens a new incident.
    void set_state(std::int64_t id, IncidentState state, TimeMs now, const std::string& note,
                   bool keep_tracking = false);

    /// Resolves every tracked incident of a container, by id or name (a recreated
    /// container keeps its name, not its id).
    std::vector<Incident> resolve_container(const ContainerRef& container, TimeMs now, const std::string& note);

    /// Tracks an incident read back from the store (after a restart of medic).
    void adopt(const Incident& incident);

    /// True when the container has an open incident.
    [[nodiscard]] bool has_open_incidents(const std::string& container_id) const;

    /// The container's tracked incident of `type` (open, or escalated and still tracked), if any.
    [[nodiscard]] std::optional<Incident> tracked(const std::string& container_id, classify::ErrorType type) const;

private:
    /// Appends a joining finding's evidence (once per distinct line); a better role takes over the decision.
    void add_evidence(Incident& incident, const classify::Finding& finding) const;

    struct Key {
        std::string container_id;
        classify::ErrorType type;
        auto operator<=>(const Key&) const = default;
    };

    store::Store& m_store;
    TrackerOptions m_options;
    std::map<Key, Incident> m_open;
    std::map<std::string, std::deque<std::string>> m_recent_lines; ///< per container
    std::map<std::string, std::deque<TimeMs>> m_exits;             ///< per container
};

} // namespace medic::incident
