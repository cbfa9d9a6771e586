#pragma once
// `medic run`: the daemon. Connects to the Docker daemon (waiting for it when it
// is not up yet), follows its events and logs them, until SIGINT or SIGTERM.

#include "cli/settings.hpp"
#include "heal/playbook.hpp"

namespace medic::cli {

/// The built-in playbooks, or the file the config names instead.
Result<heal::PlaybookCatalog> load_playbooks(const Settings& settings);

/// Runs until a signal; returns the process exit code (0 after a clean stop).
int run_daemon(const Settings& settings);

} // namespace medic::cli
