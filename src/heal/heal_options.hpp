#pragma once
// Host-wide settings of the healing engine, parsed once from the config file.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "docker/types.hpp"
#include "heal/heal_limits.hpp"
#include "heal/heal_policy.hpp"
#include "heal/profile.hpp"

namespace medic::heal {

struct HealOptions {
    bool enabled = true; ///< false: detect and record only (config heal: false)
    /// Examine a failing container before acting and before giving up (config examine: false turns it off).
    bool examine = true;
    HostPolicy policy{};
    LimitOptions limits{};
    /// Image for work inside volumes when a container's own image has no shell or chown.
    std::string helper_image = "medic/helper:latest";
    /// restart_docker_daemon runs this argument vector on the host.
    std::vector<std::string> daemon_restart_command{"systemctl", "restart", "docker"};
    /// Overrides of the profiles' host port ranges for find_alternative_port.
    std::map<Profile, PortRange> port_ranges{};
    /// A repaired container must stay up this long (and answer, and be healthy) to count as healed.
    std::chrono::milliseconds settle{3000};
    /// How long verification waits for that before the step counts as failed.
    std::chrono::milliseconds verify_timeout{60000};
    std::chrono::milliseconds poll_interval{250};
    /// medic's own container, never healed.
    std::string self_container_id{};
    /// `watch: opt-in`: a container medic reaches through another one (a dependency, a
    /// dependent) is acted on only when it carries medic.enable=true.
    bool opt_in = false;
    /// config watch_label: a container without this label is never acted on, even as a
    /// dependency or a dependent of one that has it.
    std::optional<docker::LabelSelector> only;

    [[nodiscard]] PortRange port_range(Profile profile) const
    {
        auto found = port_ranges.find(profile);
        return found != port_ranges.end() ? found->second : traits_of(profile).ports;
    }
};

} // namespace medic::heal
