#pragma once
// The probe kinds, one file each; probe_registry.cpp lists them by name.

#include "probe/probe.hpp"

namespace medic::probe {

const Probe& docker_health_probe();
const Probe& tcp_probe();
const Probe& http_probe();
const Probe& redis_probe();
const Probe& postgres_probe();
const Probe& exec_probe();

} // namespace medic::probe
