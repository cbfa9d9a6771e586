#include "heal/container_state.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/time_format.hpp"

namespace medic::heal {

/// One line of evidence about a container's state.
std::string describe_state(const docker::ContainerDetails& container)
{
    std::string text = fmt::format("{} status={} exit_code={} restarts={} started={}", container.name, container.status,
                                   container.exit_code, container.restart_count, container.started_at);
    if (container.oom_killed) {
        text += " oom_killed=true";
    }
    if (!container.error.empty()) {
        text += fmt::format(" error=\"{}\"", container.error);
    }
    if (container.health) {
        text += fmt::format(" health={} failing_streak={}", container.health->status, container.health->failing_streak);
        if (const auto last = container.health->last_output(); !last.empty()) {
            auto output = last.substr(0, 200);
            std::replace(output.begin(), output.end(), '\n', ' ');
            text += fmt::format(" last_check=\"{}\"", output);
        }
    }
    return text;
}

bool lost_its_network(const docker::ContainerDetails& container)
{
    const auto& mode = container.network_mode;
    const bool user_network = !mode.empty() && mode != "default" && mode != "bridge" && mode != "host" &&
                              mode != "none" && !mode.starts_with("container:");
    return user_network && container.running &&
           std::find(container.networks.begin(), container.networks.end(), mode) == container.networks.end();
}

bool is_unhealthy(const docker::ContainerDetails& container)
{
    return !container.running || container.restarting ||
           (container.health && container.health->status == "unhealthy") || lost_its_network(container);
}

incident::TimeMs engine_time_millis(const std::string& time)
{
    const auto parsed = parse_rfc3339(time);
    return parsed && !time.starts_with("0001-") ? unix_nanos(*parsed) / 1'000'000 : 0;
}

bool down_since(const docker::ContainerDetails& container, incident::TimeMs at)
{
    return !container.running && !container.restarting && engine_time_millis(container.started_at) <= at &&
           engine_time_millis(container.finished_at) <= at;
}

} // namespace medic::heal
