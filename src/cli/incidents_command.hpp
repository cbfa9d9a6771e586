#pragma once
// `medic incidents`: the incident history, from the running medic's API, else from its data dir.

#include <optional>
#include <string>

namespace medic::cli {

struct IncidentsOptions {
    std::string data_dir;
    std::optional<std::string> api_address; ///< the running medic's API; default MEDIC_LISTEN, else 127.0.0.1:9470
    bool json = false;
    bool open_only = false;
    int limit = 50;
};

/// Prints the incidents, newest first; returns the exit code.
int run_incidents(const IncidentsOptions& options);

} // namespace medic::cli
