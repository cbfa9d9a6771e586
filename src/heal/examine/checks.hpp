#pragma once
// The checks of an examination, one file each (heal/examiner.hpp runs them in order).
// Each answers typed Checks; a failed one carries the finding the playbooks act on,
// named by its check ("check-mount-access", ...). The pure parts are declared here too,
// for the unit tests: what to look at, and what the helper's answers mean.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "docker/client.hpp"
#include "heal/examination.hpp"
#include "heal/examiner.hpp"
#include "heal/profile.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {

/// What every check works with. (A container between two starts of its restart policy is
/// Running and Restarting at once: the checks of a stopped container apply to it.)
struct ExamineContext {
    docker::DockerClient& client;
    VolumeHelper& helper;
    const docker::ContainerDetails& container;
    Profile profile = Profile::generic;
    const ExaminationRequest& request;
    std::optional<ObservedUser> observed{};
    std::vector<RunWindow> runs{}; ///< the current run first, then earlier ones
    bool on_host = false;
    incident::TimeMs now = 0;
    ServiceUser user{}; ///< set by check_service_user, read by the others
    std::chrono::milliseconds helper_time{0};
};

/// A failed check's finding: its type, the check's name as its source, its evidence as its text.
classify::Finding check_finding(classify::ErrorType type, std::string check, std::string evidence,
                                classify::Context context, bool healable);

// service_user.cpp
/// A uid or gid written in decimal, the whole text and nothing else ("999"); nullopt otherwise.
std::optional<unsigned> parse_id(std::string_view text);

boost::asio::awaitable<Check> check_service_user(ExamineContext& context);

// mount_access.cpp
struct MountTarget {
    std::string mount; ///< the mount's destination
    std::string path;  ///< a path under it the service uses
    bool write = true; ///< the service writes there (a folder of a rw mount, a path a failure named)
};

/// The paths a service uses on its mounts: every mount point, the folders its profile names
/// (Redis' dir and appendonlydir, PGDATA and pg_wal) and the paths its failure named.
std::vector<MountTarget> mount_targets(const docker::ContainerDetails& container, Profile profile,
                                       const std::vector<std::string>& named_paths);

/// The helper's arguments: "mount:DEST" per mount, then each folder from a mount point down to each target.
std::vector<std::string> helper_arguments(const std::vector<MountTarget>& targets);

/// The script the helper runs (a constant; container data reaches it only as arguments).
std::string_view mount_script();

struct PathFacts {
    bool exists = false;
    std::string error; ///< why stat failed ("Permission denied", "No such file or directory")
    unsigned uid = 0;
    unsigned gid = 0;
    unsigned mode = 0;        ///< st_mode, with the type bits
    std::int64_t changed = 0; ///< ctime, seconds
    bool can_read = false;
    bool can_write = false;
    bool can_search = false; ///< x

    [[nodiscard]] bool is_directory() const { return (mode & 0170000U) == 0040000U; }
};

struct MountFacts {
    bool known = false;
    std::int64_t block_size = 0;
    std::int64_t blocks = 0;
    std::int64_t available = 0; ///< blocks free to a user who is not root
    std::int64_t inodes = 0;
    std::int64_t free_inodes = 0;
    bool read_only = false;
};

struct HelperReport {
    std::map<std::string, PathFacts> paths;
    std::map<std::string, MountFacts> mounts;
};

/// Reads the script's output; lines it does not understand are skipped.
HelperReport read_helper_report(std::string_view output);

/// What the facts mean for the user: one check per target, per read-only mount the
/// service must write, per file system with no blocks or inodes left.
std::vector<Check> judge_mounts(const docker::ContainerDetails& container, const ServiceUser& user,
                                const std::vector<MountTarget>& targets, const HelperReport& report,
                                const std::vector<RunWindow>& runs, incident::TimeMs now);

boost::asio::awaitable<std::vector<Check>> check_mounts(ExamineContext& context);

// host_port.cpp
boost::asio::awaitable<std::vector<Check>> check_host_ports(ExamineContext& context);

// network_namespace.cpp
boost::asio::awaitable<std::vector<Check>> check_network_namespace(ExamineContext& context);

// bind_source.cpp
boost::asio::awaitable<std::vector<Check>> check_bind_sources(ExamineContext& context);

// entrypoint.cpp
boost::asio::awaitable<std::vector<Check>> check_entrypoint(ExamineContext& context);

// exit_status.cpp
std::vector<Check> check_exit_status(const ExamineContext& context);

// data_location.cpp
std::vector<Check> check_data_location(const ExamineContext& context);

} // namespace medic::heal
