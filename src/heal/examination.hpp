#pragma once
// What medic checks before it acts or gives up: facts about a container's state, the
// way a person with `docker inspect` and `ls -ln` would check them. Each check is
// typed; a failed one carries a finding that goes through the same playbooks as a
// log line, so a cause heals whatever words the service printed.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.hpp"
#include "common/result.hpp"
#include "incident/incident.hpp"

namespace medic::heal {

enum class CheckKind : std::uint8_t {
    service_user,      ///< who the service runs as, and how medic knows
    mount_access,      ///< each folder from a mount point down the paths the service uses, for that user
    mount_read_only,   ///< a mount the service must write is read-only
    mount_space,       ///< the file system of a mount has blocks left
    mount_inodes,      ///< ... and inodes left
    host_port,         ///< a published host port is free, or who holds it
    network_namespace, ///< network_mode container:X: X exists, runs, and is the namespace the container is in
    bind_source,       ///< a bind mount's host source exists
    entrypoint,        ///< the command exists in the image and is executable
    exit_status,       ///< what the exit code says (137: OOM killer, a stop timeout, or a kill from outside)
    data_location,     ///< the service writes where an attack would (Redis dir in /etc, ~/.ssh, cron)
};

std::string_view to_string(CheckKind kind);
std::optional<CheckKind> parse_check_kind(std::string_view text);

enum class CheckOutcome : std::uint8_t { passed, failed, warning, unknown };

std::string_view to_string(CheckOutcome outcome);
std::optional<CheckOutcome> parse_check_outcome(std::string_view text);

struct Check {
    CheckKind kind = CheckKind::service_user;
    CheckOutcome outcome = CheckOutcome::unknown;
    std::string subject;  ///< what was checked: "/data", "127.0.0.1:6379/tcp", "container:vpn"
    std::string evidence; ///< what was seen: "uid 999 cannot search /data: owner 0:0, mode 0700"
    /// A failed check's problem, for the playbooks (type, context, the check's name as its source).
    std::optional<classify::Finding> finding{};
};

/// Who the service runs as.
struct ServiceUser {
    enum class Source : std::uint8_t { config, observed, profile, unknown };
    unsigned uid = 0;
    unsigned gid = 0;
    std::vector<unsigned> groups{}; ///< supplementary groups, when known
    Source source = Source::unknown;
    std::string detail; ///< "Config.User redis = 999:999", "seen running as 2000:2000 (app)"

    [[nodiscard]] std::string owner() const { return std::to_string(uid) + ":" + std::to_string(gid); }
};

std::string_view to_string(ServiceUser::Source source);

enum class ExaminationReason : std::uint8_t {
    exited_again,
    cannot_start,
    unhealthy,
    before_healing,
    before_escalation,
    asked
};

std::string_view to_string(ExaminationReason reason);

struct Examination {
    std::string container_id;
    std::string container_name;
    incident::TimeMs examined_at = 0;
    ExaminationReason reason = ExaminationReason::asked;
    std::string state;       ///< the container's state when examined (describe_state)
    std::string finished_at; ///< the exit it examined (State.FinishedAt), to reuse it for the same exit
    std::string started_at;
    ServiceUser user{};
    std::vector<Check> checks{};
    std::chrono::milliseconds duration{0};        ///< the whole examination
    std::chrono::milliseconds helper_duration{0}; ///< of which the helper container ran

    /// The failed checks that carry a finding, the strongest first (a suspected compromise leads).
    [[nodiscard]] std::vector<const Check*> problems() const;
    [[nodiscard]] int failed_count() const;
    /// One line per check: "FAIL mount_access /data: uid 999 cannot search /data: owner 0:0, mode 0700".
    [[nodiscard]] std::vector<std::string> summary() const;
};

/// The examination as JSON (stored, served by the API, printed by `medic diagnose --json`).
std::string to_json(const Examination& examination);
/// Reads it back; the checks' findings keep type, severity, context, text and check name.
Result<Examination> examination_from_json(std::string_view text);

} // namespace medic::heal
