#pragma once
// The host under the containers: how fast the daemon answers, how full the disks of
// the Docker data root and of the volumes are, and how much memory is in use and
// under pressure. Findings come at configurable thresholds, before a disk is full.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "classify/classifier.hpp"

namespace medic::docker {
class DockerClient;
}

namespace medic::probe {

struct DiskReport {
    std::string path; ///< the data root or a volume's mount point
    std::string what; ///< "Docker data root", "volume NAME"
    std::uint64_t total_bytes = 0;
    std::uint64_t available_bytes = 0;
    [[nodiscard]] double used_percent() const;
};

struct HostThresholds {
    int disk_percent = 90;
    int memory_percent = 95;
};

struct HostReport {
    std::optional<double> ping_ms; ///< unset: the daemon did not answer
    std::string ping_error;
    std::string docker_root_dir;
    std::vector<DiskReport> disks; ///< one per filesystem
    std::string disk_error;        ///< why the data root could not be measured (medic in a container)
    std::int64_t images_bytes = 0, containers_bytes = 0, volumes_bytes = 0, build_cache_bytes = 0;
    std::uint64_t memory_total = 0;
    std::uint64_t memory_available = 0;
    std::optional<double> memory_pressure;   ///< PSI "some avg10", percent of time stalled
    std::vector<classify::Finding> findings; ///< RESOURCE_EXHAUSTED, context resource (disk, memory) and path
};

/// What in `report` is above the thresholds, as findings (pure: check_host fills them in).
std::vector<classify::Finding> host_findings(const HostReport& report, const HostThresholds& thresholds);

/// Measures the host now.
boost::asio::awaitable<HostReport> check_host(docker::DockerClient& client, const HostThresholds& thresholds);

/// MemTotal and MemAvailable (bytes) of /proc/meminfo text.
std::pair<std::uint64_t, std::uint64_t> parse_meminfo(const std::string& text);
/// "some avg10=1.23 ..." of /proc/pressure/memory text.
std::optional<double> parse_pressure(const std::string& text);

} // namespace medic::probe
