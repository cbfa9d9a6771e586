#pragma once
// `medic diagnose NAME`: every probe and check for one container, run now, and for a
// person: what is wrong, the evidence, the examination (each check, pass or fail, and
// what it saw), and the playbook medic would run. Changes nothing: its helper containers
// only look.

#include <optional>
#include <string>

namespace medic::cli {

struct DiagnoseOptions {
    std::string container;
    std::optional<std::string> docker_host;
    bool json = false;
    int timeout_seconds = 5;                          ///< per probe
    std::string helper_image = "medic/helper:latest"; ///< runs the examination's checks inside the volumes
};

/// Prints the diagnosis; exit code 0 when nothing is wrong, 1 when something is, 2 when it could not look.
int run_diagnose(const DiagnoseOptions& options);

} // namespace medic::cli
