#pragma once
// `medic heal NAME --action ACTION`: a person asks medic to run one recovery action
// on a container now; it is journaled and verified like a playbook step.

#include <optional>
#include <string>

namespace medic::cli {

struct HealCommandOptions {
    std::string container;
    std::string action;
    std::string data_dir;
    std::optional<std::string> docker_host;
    std::string helper_image = "medic/helper:latest";
    bool confirmed = false; ///< --yes: needed for destructive and host actions
};

/// Runs the action, verifies the service, prints the outcome; returns the exit code.
int run_heal(const HealCommandOptions& options);

} // namespace medic::cli
