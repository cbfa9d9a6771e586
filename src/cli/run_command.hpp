#pragma once
// `medic run`: the daemon. Connects to the Docker daemon (waiting for it when it
// is not up yet), follows its events and logs them, until SIGINT or SIGTERM.

#include "cli/settings.hpp"

namespace medic::cli {

/// Runs until a signal; returns the process exit code (0 after a clean stop).
int run_daemon(const Settings& settings);

} // namespace medic::cli
