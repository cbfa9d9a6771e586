#pragma once
// `medic actions` (the journal of recovery actions) and `medic restore` (puts
// quarantined files back), from medic's data dir.

#include <cstdint>
#include <optional>
#include <string>

namespace medic::cli {

struct ActionsOptions {
    std::string data_dir;
    std::optional<std::string> api_address; ///< the running medic's API; default MEDIC_LISTEN, else 127.0.0.1:9470
    std::int64_t incident = 0;              ///< 0: every incident
    bool json = false;
    int limit = 50;
};

/// Prints the journal, newest first; returns the exit code.
int run_actions(const ActionsOptions& options);

struct RestoreOptions {
    std::string data_dir;
    std::optional<std::string> docker_host;
    std::string helper_image = "medic/helper:latest";
    std::optional<std::int64_t> id; ///< unset: list what is in quarantine
};

/// Lists the quarantine, or moves the files of one entry back; returns the exit code.
int run_restore(const RestoreOptions& options);

} // namespace medic::cli
