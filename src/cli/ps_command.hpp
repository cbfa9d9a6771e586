#pragma once
// `medic ps`: the containers of a host with their state, health, restarts,
// uptime and ports.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "docker/types.hpp"

namespace medic::cli {

struct PsRow {
    std::string id;
    std::string name;
    std::string image;
    std::string state;
    std::string health; ///< healthy, unhealthy, starting, or "-" without a healthcheck
    int restarts = 0;
    std::optional<long long> uptime_seconds; ///< set while running
    std::vector<std::string> ports;          ///< "127.0.0.1:16379->6379/tcp"
};

/// Joins a container's list row with its inspect answer (when it has one).
PsRow make_ps_row(const docker::ContainerSummary& summary, const docker::ContainerDetails* details,
                  std::chrono::system_clock::time_point now);

std::string render_ps_table(const std::vector<PsRow>& rows);
std::string render_ps_json(const std::vector<PsRow>& rows);

struct PsOptions {
    std::optional<std::string> docker_host;
    bool json = false;
};

/// Prints the table (or JSON) to stdout; returns the process exit code.
int run_ps(const PsOptions& options);

} // namespace medic::cli
