#pragma once
// `medic config check [FILE]`: is this config file right, and are the medic.* labels of
// the running containers? Says what is wrong and where; changes nothing.

#include <optional>
#include <string>

#include "cli/settings.hpp"

namespace medic::cli {

struct ConfigCheckOptions {
    std::optional<std::string> file; ///< default: MEDIC_CONFIG; none: the defaults alone
    std::optional<std::string> docker_host;
    bool skip_containers = false; ///< the file only
};

/// 0: nothing wrong; 1: something is (said on stdout); 2: could not look.
int run_config_check(const ConfigCheckOptions& options);

} // namespace medic::cli
