#pragma once
// What the healing engine reads off an inspected container: a line of evidence for
// the journal, and whether the container is in trouble right now.

#include <string>

#include "docker/types.hpp"
#include "incident/incident.hpp"

namespace medic::heal {

/// One line of evidence: status, exit code, restarts, start time, error, health.
std::string describe_state(const docker::ContainerDetails& container);

/// True when the container is no longer attached to the user-defined network it was created on.
bool lost_its_network(const docker::ContainerDetails& container);

/// Stopped, restarting, unhealthy by its own health check, or cut off its network.
bool is_unhealthy(const docker::ContainerDetails& container);

/// A time as the engine writes it (RFC 3339), in unix milliseconds; 0 for none or Docker's zero time.
incident::TimeMs engine_time_millis(const std::string& time);

/// True when the container is down and has not run since `at` (unix ms): its last run ended by then.
bool down_since(const docker::ContainerDetails& container, incident::TimeMs at);

} // namespace medic::heal
