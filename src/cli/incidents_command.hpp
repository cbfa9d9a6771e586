#pragma once
// `medic incidents`: the incident history from medic's data dir.

#include <string>

namespace medic::cli {

struct IncidentsOptions {
    std::string data_dir;
    bool json = false;
    bool open_only = false;
    int limit = 50;
};

/// Prints the incidents, newest first; returns the exit code.
int run_incidents(const IncidentsOptions& options);

} // namespace medic::cli
