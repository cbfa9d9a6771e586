#pragma once
// What medic knows about a kind of service: where its data lives, which user owns
// it, which host ports it may move to, and how to ask it whether it is ready.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docker/types.hpp"

namespace medic::heal {

enum class Profile : std::uint8_t { generic, redis, postgres, sysreptor };

struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
};

struct ProfileTraits {
    Profile profile = Profile::generic;
    std::string_view name;
    std::string_view data_dir;      ///< default data folder inside the container; "" when unknown
    std::string_view owner;         ///< default "uid:gid" of the data, "" when unknown
    PortRange ports;                ///< host ports find_alternative_port may choose from
    std::vector<std::string> ready; ///< run inside the container: exit 0 means ready ({} : none)
    std::uint16_t service_port = 0; ///< the port the service listens on inside the container; 0: unknown
    std::string_view probe;         ///< medic's probe for it ("redis", "postgres", "http"; "" : by ports)
    std::chrono::seconds probe_interval{30};
    std::string_view health_path; ///< the http probe's endpoint, "" when none is known
    /// Environment variables that name the hosts it depends on (SysReptor: DATABASE_HOST, REDIS_HOST).
    std::vector<std::string_view> dependency_env;
};

std::string_view to_string(Profile profile);
std::optional<Profile> parse_profile(std::string_view text);

/// The traits built into medic for `profile`.
const ProfileTraits& traits_of(Profile profile);

/// The label medic.profile, else a guess from the image name, else from the exposed or published ports.
Profile detect_profile(const docker::ContainerDetails& container);

/// The hosts a container depends on: its medic.depends-on label, what its profile's
/// dependency variables name (SysReptor's DATABASE_HOST and REDIS_HOST), and the container
/// whose network it joins (network_mode container:X), each once.
std::vector<std::string> dependencies_of(const docker::ContainerDetails& container);

} // namespace medic::heal
