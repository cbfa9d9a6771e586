#pragma once
// Work inside a container's volumes without touching host paths: a one-shot helper
// container from the affected container's own image (it has the right tools and the
// right /etc/passwd), as root, with --volumes-from the affected container, no network.
// When that image has no such command, medic's own busybox helper image runs it.
// Commands are argument vectors; fixed scripts take container data as "$1".. only.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/result.hpp"
#include "docker/client.hpp"

namespace medic::heal {

struct HelperRun {
    int exit_code = -1;
    std::string output; ///< stdout and stderr, interleaved as written
    std::string image;  ///< the image that ran it
};

enum class HelperImage : std::uint8_t { own_then_fallback, fallback_only };

struct HelperOptions {
    HelperImage image = HelperImage::own_then_fallback;
    bool volumes_from = true;         ///< mount the affected container's volumes
    std::vector<std::string> binds{}; ///< extra -v mounts (the daemon creates a missing source folder)
    std::string user = "0";           ///< uid:gid it runs as: root to repair, the service's user to examine
    std::vector<std::string> group_add{};
};

class VolumeHelper {
public:
    VolumeHelper(docker::DockerClient& client, std::string fallback_image)
        : m_client(client), m_fallback_image(std::move(fallback_image))
    {
    }

    /// Runs `command` with the volumes of `container`; a nonzero exit is a result, not an error.
    boost::asio::awaitable<Result<HelperRun>> run(const docker::ContainerDetails& container,
                                                  std::vector<std::string> command, HelperOptions options);
    /// The same as root with the container's volumes, its own image first. (No default argument:
    /// GCC 12 destroys a defaulted coroutine argument twice.)
    boost::asio::awaitable<Result<HelperRun>> run(const docker::ContainerDetails& container,
                                                  std::vector<std::string> command);

    [[nodiscard]] const std::string& fallback_image() const { return m_fallback_image; }

private:
    boost::asio::awaitable<Result<HelperRun>> run_in(const std::string& image,
                                                     const docker::ContainerDetails& container,
                                                     const std::vector<std::string>& command,
                                                     const HelperOptions& options);

    docker::DockerClient& m_client;
    std::string m_fallback_image;
    unsigned m_runs = 0;
};

/// The uid:gid that `container` runs as: numeric User as it is, a user name resolved
/// inside its image, else `fallback` (the profile's owner); an error when neither is known.
boost::asio::awaitable<Result<std::string>>
resolve_owner(VolumeHelper& helper, const docker::ContainerDetails& container, std::string fallback);

/// A user as `id` prints it.
struct Identity {
    unsigned uid = 0;
    unsigned gid = 0;
    std::vector<unsigned> groups{}; ///< supplementary, the primary group left out
};

/// Reads "uid=999(redis) gid=999(redis) groups=999(redis),1500(data)".
std::optional<Identity> parse_id_output(std::string_view text);

/// The mount of `container` whose destination holds `path` (the longest), if any.
const docker::MountInfo* mount_holding(const docker::ContainerDetails& container, const std::string& path);

} // namespace medic::heal
