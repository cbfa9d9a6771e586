#pragma once
// medic's history: findings, incidents and container events in SQLite (WAL).
// A database that cannot be opened or written degrades to an in-memory one with
// a loud warning: medic keeps watching.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "classify/classifier.hpp"
#include "common/result.hpp"
#include "incident/incident.hpp"

namespace medic::store {

struct FindingRecord {
    std::int64_t id = 0;
    std::int64_t incident_id = 0;
    std::string container_id;
    std::string container_name;
    classify::ErrorType type = classify::ErrorType::config_error;
    std::string rule;
    classify::Severity severity = classify::Severity::error;
    classify::Channel channel = classify::Channel::log;
    classify::Context context;
    std::string text;
    incident::TimeMs seen_at = 0;
    incident::TimeMs signal_time = 0; ///< when the line was written (the daemon's timestamp)
};

struct ContainerEventRecord {
    std::string container_id;
    std::string container_name;
    std::string action;
    std::string detail;
    incident::TimeMs time = 0;
};

/// Where a recovery action stands in the journal.
enum class ActionState : std::uint8_t { planned, running, succeeded, failed, skipped, interrupted };

std::string_view to_string(ActionState state);
std::optional<ActionState> parse_action_state(std::string_view text);

/// One recovery action in the journal: written before it starts, updated when it ends.
struct ActionRecord {
    std::int64_t id = 0;
    std::int64_t incident_id = 0;
    std::string container_id;
    std::string container_name;
    std::string action; ///< registered name, e.g. fix_redis_permissions
    std::string safety; ///< safe, disruptive, destructive, host
    ActionState state = ActionState::running;
    bool dry_run = false;
    int step = 0;    ///< index of the playbook step
    int attempt = 0; ///< 1-based attempt of that step
    incident::TimeMs started_at = 0;
    incident::TimeMs ended_at = 0;
    std::string detail; ///< what happened, for a person
    std::string before; ///< evidence seen before acting (state, error, config)
    std::string after;  ///< evidence seen after
};

/// Files moved (or copied) out of the way into `<root>/.medic-quarantine/<directory>/`.
struct QuarantineRecord {
    std::int64_t id = 0;
    std::int64_t incident_id = 0;
    std::int64_t action_id = 0;
    std::string container_id;
    std::string container_name;
    std::string root;      ///< the mount point inside the container, e.g. /data
    std::string directory; ///< the folder under .medic-quarantine
    std::string items;     ///< the manifest: one "path<TAB>size<TAB>sha256" line per file
    incident::TimeMs created_at = 0;
    incident::TimeMs restored_at = 0;
};

/// An examination of a container (heal/examination.hpp), kept as its JSON.
struct ExaminationRecord {
    std::int64_t id = 0;
    std::string container_id;
    std::string container_name;
    incident::TimeMs examined_at = 0;
    int failed = 0;   ///< checks that failed
    std::string body; ///< the examination as JSON
};

struct Page {
    int page = 1;
    int per_page = 50;
};

struct IncidentQuery {
    bool open_only = false;
    std::optional<std::string> container{}; ///< by name or id
    Page page{};
};

/// Findings newest first; every filter is optional.
struct FindingQuery {
    Page page{};
    std::optional<std::string> type{};      ///< an error type, e.g. PERMISSION_DENIED
    std::optional<std::string> container{}; ///< by name or id
    incident::TimeMs since = 0;             ///< seen at or after
    std::int64_t incident_id = 0;           ///< of one incident (then oldest first)
};

/// Actions newest first (of one incident: oldest first); every filter is optional.
struct ActionQuery {
    Page page{};
    std::int64_t incident_id = 0;
    std::optional<std::string> container{};
    std::optional<std::string> action{};
    std::optional<ActionState> state{};
};

/// Findings in one hour of the recent past.
struct HourOfFindings {
    incident::TimeMs hour = 0; ///< the hour's start
    std::int64_t total = 0;
    std::map<std::string, std::int64_t> per_type{};
};

struct Statistics {
    std::map<std::string, std::int64_t> per_type;
    std::map<std::string, std::int64_t> per_container;
    std::map<std::string, std::int64_t> per_hour; ///< "2026-11-28T06:00Z" -> findings
    double mean_time_to_detect_ms = 0;            ///< from the line's timestamp to the incident stored
    std::int64_t total_findings = 0;
    std::int64_t total_incidents = 0;
    std::vector<HourOfFindings> recent_hours{}; ///< the last 48 hours before `now`, oldest first, none left out
    std::int64_t last_24h = 0;                  ///< findings in the last day ...
    std::int64_t previous_24h = 0;              ///< ... and in the day before: the trend
};

/// How often recovery actions worked.
struct Outcomes {
    std::int64_t total = 0; ///< finished actions (succeeded or failed; not dry runs)
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
};

struct HourOfActions {
    incident::TimeMs hour = 0;
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
};

struct RecoveryStatistics {
    Outcomes overall{};
    std::map<std::string, Outcomes> per_action{};
    std::map<std::string, Outcomes> per_type{};      ///< by the error type of the action's incident
    std::optional<double> mean_time_to_recover_ms{}; ///< first seen to resolved, over incidents medic acted on
    std::vector<HourOfActions> recent_hours{};       ///< the last 48 hours, oldest first
};

/// A write to the history, as the API's live stream reports it.
struct Change {
    enum class Kind : std::uint8_t { incident, action };
    Kind kind = Kind::incident;
    bool created = false;
    const incident::Incident* incident = nullptr; ///< with its id
    const ActionRecord* action = nullptr;         ///< with its id
};
using ChangeObserver = std::function<void(const Change&)>;

struct Retention {
    std::int64_t max_age_ms = 30LL * 24 * 3600 * 1000;
    std::int64_t max_findings = 100000;
    std::int64_t max_events = 100000;
};

class Store {
public:
    /// Opens (creating and migrating) `path`; ":memory:" for a database that lives in RAM.
    /// Never fails: on error it falls back to memory and says why in degraded_reason().
    static std::unique_ptr<Store> open(const std::string& path);
    ~Store();

    [[nodiscard]] bool degraded() const { return !m_degraded_reason.empty(); }
    [[nodiscard]] const std::string& degraded_reason() const { return m_degraded_reason; }
    [[nodiscard]] int schema_version() const;

    /// Inserts a new incident and returns its id.
    std::int64_t insert_incident(const incident::Incident& incident);
    /// Writes count, last seen, state, context, lines and resolution.
    void update_incident(const incident::Incident& incident);
    std::int64_t insert_finding(const FindingRecord& finding);
    void insert_event(const ContainerEventRecord& event);

    /// Called after every incident and action written (one observer; the API's event stream).
    void set_observer(ChangeObserver observer) { m_observer = std::move(observer); }

    std::vector<incident::Incident> incidents(const IncidentQuery& query, std::int64_t* total = nullptr);
    std::optional<incident::Incident> incident_by_id(std::int64_t id);
    std::vector<FindingRecord> findings(const FindingQuery& query, std::int64_t* total = nullptr);
    std::optional<FindingRecord> finding_by_id(std::int64_t id);
    /// Counts by type, container and hour; `now` places the recent hours and the trend.
    Statistics statistics(incident::TimeMs now = 0);
    RecoveryStatistics recovery_statistics(incident::TimeMs now);
    /// Journals an action (before it starts) and returns its id.
    std::int64_t insert_action(const ActionRecord& action);
    /// Writes the action's state, end, detail and evidence.
    void update_action(const ActionRecord& action);
    /// Actions, newest first; of one incident when `incident_id` is not 0.
    std::vector<ActionRecord> actions(std::int64_t incident_id, const Page& page, std::int64_t* total = nullptr);
    std::vector<ActionRecord> actions(const ActionQuery& query, std::int64_t* total = nullptr);
    /// After a crash: actions still marked running become interrupted; returns them.
    std::vector<ActionRecord> interrupt_running_actions(incident::TimeMs now);

    std::int64_t insert_quarantine(const QuarantineRecord& record);
    std::optional<QuarantineRecord> quarantine_by_id(std::int64_t id);
    std::vector<QuarantineRecord> quarantines();
    void mark_restored(std::int64_t id, incident::TimeMs now);

    std::int64_t insert_examination(const ExaminationRecord& record);
    /// The newest examination of a container, by name or id.
    std::optional<ExaminationRecord> latest_examination(const std::string& container);

    /// Deletes history older than the retention age and beyond the row counts (never open incidents).
    void apply_retention(const Retention& retention, incident::TimeMs now);

private:
    struct Database;
    explicit Store(std::unique_ptr<Database> database, std::string degraded_reason);
    /// Runs a write; on failure switches to memory (once) and logs why.
    template <typename Write>
    auto guarded(Write&& write) -> decltype(write());

    void notify(const Change& change) const
    {
        if (m_observer) {
            m_observer(change);
        }
    }

    std::unique_ptr<Database> m_database;
    std::string m_degraded_reason;
    ChangeObserver m_observer;
};

} // namespace medic::store
