#pragma once
// The commands that ask a running `medic run` through its API: `medic logs` and `medic stats`.

#include <optional>
#include <string>

#include "cli/api_client.hpp"

namespace medic::cli {

struct LogsOptions {
    ApiClientOptions api;
    std::string container;
    bool follow = false;
    int tail = 100;
    bool types = false; ///< prefix lines a rule matched with their error type
};

/// Prints the container's last lines (stdout to stdout, stderr to stderr), then follows with -f.
int run_logs(const LogsOptions& options);

struct StatsOptions {
    ApiClientOptions api;
    bool json = false;
};

/// Prints counts of findings by type and container, the trend, and recovery success rates.
int run_stats(const StatsOptions& options);

} // namespace medic::cli
