#pragma once
// The configuration of a replacement container, taken from the inspect of the one it
// replaces: same Config and HostConfig, same networks and aliases, and its anonymous
// volumes carried over by name so no data is left behind in an orphaned volume.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "docker/types.hpp"

namespace medic::heal {

struct ReplacementChanges {
    /// "6379/tcp" -> the new host port for every binding of that container port.
    std::map<std::string, std::uint16_t> host_ports;
};

struct Replacement {
    std::string body;                        ///< POST /containers/create
    std::vector<std::string> extra_networks; ///< to connect after creation (the API takes one at create)
};

/// The host folders the container binds (HostConfig.Binds and bind Mounts), known even
/// when it never started and `Mounts` of the inspect is empty.
std::vector<std::string> configured_bind_sources(const docker::ContainerDetails& container);

Result<Replacement> replacement_for(const docker::ContainerDetails& container, const ReplacementChanges& changes = {});

} // namespace medic::heal
