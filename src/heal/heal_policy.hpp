#pragma once
// Which actions medic may take on a container: host-wide settings, then the
// container's medic.* labels. destructive and host actions are off unless enabled.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "docker/types.hpp"
#include "heal/safety.hpp"

namespace medic::heal {

/// Host-wide policy from the config file and flags.
struct HostPolicy {
    bool dry_run = false;           ///< plan and record, act on nothing
    bool allow_destructive = false; ///< enable the destructive class everywhere
    bool allow_host = false;        ///< enable the host class everywhere
};

enum class Priority : std::uint8_t { low, normal, high };

/// One container's policy, from its labels.
struct ContainerPolicy {
    bool dry_run = false;
    std::optional<std::set<std::string>> allow; ///< medic.actions.allow: only these (and enables their class)
    std::set<std::string> deny;                 ///< medic.actions.deny
    std::optional<int> max_attempts;            ///< medic.max-attempts: caps the playbook's attempts
    Priority priority = Priority::normal;       ///< medic.priority: low ones may be stopped to free memory
    std::vector<std::string> depends_on;        ///< medic.depends-on: restarted after these recover
};

enum class Permission : std::uint8_t { allowed, denied_by_label, not_in_allow_list, class_disabled };

/// Reads the medic.* labels (bad values were reported by the watcher; here they fall back to defaults).
ContainerPolicy policy_from_labels(const docker::Labels& labels, const HostPolicy& host);

Permission permits(const ContainerPolicy& policy, const HostPolicy& host, std::string_view action, Safety safety);

/// Why an action was not taken, for the journal.
std::string explain(Permission permission, std::string_view action, Safety safety);

/// Splits "a, b,c" into {"a", "b", "c"}.
std::vector<std::string> split_list(std::string_view text);

} // namespace medic::heal
