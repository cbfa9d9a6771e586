#pragma once
// Which probes a container gets, where they connect and how often: from its profile,
// overridden by its labels (medic.probes, medic.probe.address, medic.probe.interval,
// medic.probe.timeout, medic.probe.exec, medic.http.endpoints).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "docker/types.hpp"
#include "heal/profile.hpp"
#include "probe/probe.hpp"

namespace medic::probe {

struct ProbePlan {
    heal::Profile profile = heal::Profile::generic;
    std::vector<ProbeSpec> probes;     ///< scheduled ones
    std::vector<std::string> problems; ///< labels that could not be used, said for a person
};

struct PlanOptions {
    std::chrono::milliseconds timeout{5000};
    /// Include docker-health (the scheduler leaves it out: the daemon's health events already
    /// reach medic; `medic diagnose` puts it in).
    bool with_docker_health = false;
};

/// The probes for `container`.
ProbePlan plan_probes(const docker::ContainerDetails& container, const PlanOptions& options = {});

/// Where to reach port `port` of the container: the label medic.probe.address, else the host
/// port it is published on (0.0.0.0 and :: become loopback), else its address on a network.
std::optional<Address> resolve_address(const docker::ContainerDetails& container, std::uint16_t port);

/// "/health,/ready=204,/=200~Welcome" -> endpoints; an error names the bad item.
Result<std::vector<HttpEndpoint>> parse_endpoints(std::string_view text);

/// "30s", "5m", "1h", "500ms" -> a duration above zero.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

} // namespace medic::probe
