#pragma once
// The typed shapes of what medic asks of and reads from the Docker Engine API.
// Plain structs without JSON: the encoding lives in docker/json_codec.cpp.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docker/frame_demuxer.hpp"

namespace medic::docker {

using Labels = std::map<std::string, std::string>;

/// `KEY` (the label is there, any value) or `KEY=VALUE` (it has this value): which
/// containers one medic looks after, e.g. `com.docker.compose.project=shop`.
struct LabelSelector {
    std::string key;
    std::optional<std::string> value;

    [[nodiscard]] bool matches(const Labels& labels) const;
    [[nodiscard]] std::string to_string() const;
};

/// Reads `KEY` or `KEY=VALUE`; nullopt when the key is empty or holds a space, a tab or
/// a line break.
std::optional<LabelSelector> parse_label_selector(std::string_view text);

/// The daemon's identity and the API version both sides use.
struct VersionInfo {
    std::string server_version;      ///< e.g. 20.10.24
    std::string server_api_version;  ///< the newest the daemon speaks
    std::string minimum_api_version; ///< the oldest the daemon accepts
    std::string negotiated_api_version;
    std::string operating_system;
};

struct PortMapping {
    std::string ip;
    std::uint16_t private_port = 0;
    std::uint16_t public_port = 0; ///< 0 when the port is exposed but not published
    std::string protocol;
};

/// One row of GET /containers/json.
struct ContainerSummary {
    std::string id;
    std::vector<std::string> names; ///< without the leading '/'
    std::string image;
    std::string state;  ///< created, running, paused, restarting, removing, exited, dead
    std::string status; ///< human text, e.g. "Up 3 minutes (healthy)"
    std::int64_t created = 0;
    std::vector<PortMapping> ports;
    Labels labels;

    /// The first name, the one people use.
    [[nodiscard]] std::string name() const { return names.empty() ? id.substr(0, 12) : names.front(); }
};

/// One run of a container's own HEALTHCHECK (State.Health.Log).
struct HealthRun {
    int exit_code = 0;
    std::string end; ///< when it ended, as the daemon wrote it
    std::string output;
};

struct HealthState {
    std::string status; ///< starting, healthy, unhealthy; empty when the container has no healthcheck
    int failing_streak = 0;
    std::vector<HealthRun> runs{}; ///< the daemon keeps the last five, oldest first

    /// The output of the newest run, "" when none ran yet.
    [[nodiscard]] std::string last_output() const { return runs.empty() ? std::string() : runs.back().output; }
};

struct MountInfo {
    std::string type; ///< bind, volume, tmpfs
    std::string name; ///< the volume's name
    std::string source;
    std::string destination;
    bool read_write = true;
};

/// A port a container asks to publish (HostConfig.PortBindings), whether it runs or not.
struct PortRequest {
    std::uint16_t container_port = 0;
    std::string protocol = "tcp";
    std::string host_ip;         ///< "" or 0.0.0.0: every address
    std::uint16_t host_port = 0; ///< 0: the daemon picks one
};

/// What medic needs of GET /containers/{id}/json; `raw_json` keeps the whole answer
/// for actions that recreate a container with the same configuration.
struct ContainerDetails {
    std::string id;
    std::string name;  ///< without the leading '/'
    std::string image; ///< Config.Image, as the user named it
    std::string image_id;
    std::string status; ///< State.Status
    bool running = false;
    bool restarting = false;
    bool oom_killed = false;
    bool dead = false;
    int pid = 0;
    int exit_code = 0;
    std::string error; ///< State.Error: why the daemon could not start it (e.g. port already allocated)
    std::string started_at;
    std::string finished_at;
    int restart_count = 0;
    std::optional<HealthState> health;
    bool tty = false;
    std::string user;
    Labels labels;
    std::vector<std::string> command; ///< Entrypoint + Cmd
    std::vector<MountInfo> mounts;
    std::vector<PortMapping> ports; ///< published ports (NetworkSettings.Ports)
    std::string restart_policy;
    std::vector<std::string> environment;         ///< Config.Env, KEY=value
    std::string network_mode;                     ///< HostConfig.NetworkMode: the network it was created on
    std::vector<std::string> networks;            ///< NetworkSettings.Networks: the networks it is attached to now
    std::map<std::string, std::string> addresses; ///< network -> the container's IPv4 address on it
    std::vector<std::string> aliases;             ///< its DNS aliases on those networks
    std::vector<std::uint16_t> exposed_ports;     ///< Config.ExposedPorts (tcp), sorted
    std::vector<PortRequest> port_requests;       ///< HostConfig.PortBindings: what it publishes when it runs
    std::int64_t memory_limit = 0;                ///< HostConfig.Memory in bytes, 0: none
    std::string working_dir;                      ///< Config.WorkingDir
    /// Bind sources given with --mount (HostConfig.Mounts): the daemon refuses to start the
    /// container when one is missing, where it creates a missing -v source instead.
    std::vector<std::string> strict_bind_sources;
    std::string raw_json;

    /// The value of KEY in Config.Env, if set.
    [[nodiscard]] std::optional<std::string> env(std::string_view key) const;
};

/// Filters for listing containers; empty members are not sent.
struct ListContainersOptions {
    bool all = true;
    std::map<std::string, std::vector<std::string>> filters; ///< e.g. {"label": {"medic.enable=true"}}
};

/// A port to publish: host ip/port to container port.
struct PortBinding {
    std::uint16_t container_port = 0;
    std::string protocol = "tcp";
    std::string host_ip = "127.0.0.1";
    std::uint16_t host_port = 0; ///< 0: the daemon picks one
};

/// A --mount style mount.
struct MountSpec {
    std::string type = "bind"; ///< bind, volume or tmpfs
    std::string source;        ///< not for tmpfs
    std::string target;
    bool read_only = false;
    std::int64_t tmpfs_size_bytes = 0; ///< tmpfs: 0 is unlimited
    int tmpfs_mode = 01777;            ///< tmpfs: the folder's mode
};

struct HealthcheckSpec {
    std::vector<std::string> test; ///< e.g. {"CMD", "redis-cli", "ping"}
    std::int64_t interval_ns = 0;
    std::int64_t timeout_ns = 0;
    std::int64_t start_period_ns = 0;
    int retries = 0;
};

/// What medic or a test asks POST /containers/create for. Commands are argument
/// vectors: no shell string is ever built from container data.
struct ContainerSpec {
    std::string image;
    std::vector<std::string> command;
    std::optional<std::vector<std::string>> entrypoint;
    std::vector<std::string> environment; ///< KEY=value
    Labels labels;
    std::string user;
    std::vector<std::string> group_add; ///< supplementary groups (HostConfig.GroupAdd)
    std::string working_dir;
    bool tty = false;
    std::vector<std::string> binds; ///< source:destination[:options]
    std::vector<std::string> volumes_from;
    std::vector<MountSpec> mounts; ///< HostConfig.Mounts (--mount): a missing bind source is an error, not created
    std::vector<PortBinding> ports;
    std::int64_t memory_bytes = 0;
    bool auto_remove = false;
    std::string network_mode;
    std::string restart_policy; ///< no, always, on-failure, unless-stopped
    std::optional<HealthcheckSpec> healthcheck;
};

struct RemoveOptions {
    bool force = false;
    bool remove_anonymous_volumes = false;
};

/// A command to run inside a container, as an argument vector.
struct ExecSpec {
    std::vector<std::string> command;
    std::string user;
    std::vector<std::string> environment;
    std::string working_dir;
};

/// Captured output of an exec, each stream capped.
struct ExecOutput {
    int exit_code = -1;
    std::string stdout_text;
    std::string stderr_text;
    bool truncated = false;
};

/// GET /containers/{id}/top: the container's processes as ps prints them.
struct ProcessList {
    std::vector<std::string> titles; ///< e.g. PID UID GID COMMAND
    std::vector<std::vector<std::string>> processes;
};

/// What the daemon says of a path inside a container (HEAD /containers/{id}/archive).
struct PathStat {
    std::string name;
    std::int64_t size = 0;
    std::uint32_t mode = 0;  ///< Go's os.FileMode: permission bits, and 1 << 31 directory, 1 << 27 symlink
    std::string link_target; ///< for a symlink

    [[nodiscard]] bool is_directory() const { return (mode & (1U << 31)) != 0; }
    [[nodiscard]] bool is_symlink() const { return (mode & (1U << 27)) != 0; }
};

struct ExecState {
    bool running = false;
    std::optional<int> exit_code;
    int pid = 0;
};

struct LogOptions {
    bool follow = false;
    bool stdout_stream = true;
    bool stderr_stream = true;
    bool timestamps = false;
    std::string since; ///< UNIX time "secs[.nanos]"; empty: from the start
    std::string until;
    std::string tail = "all";
    std::size_t max_line_length = 64U * 1024U;
};

/// One line of container output. `timestamp` is the daemon's RFC 3339 time when
/// the stream was opened with timestamps.
struct LogLine {
    OutputStream stream = OutputStream::stdout_stream;
    std::string timestamp;
    std::string text;
    bool truncated = false;
};

/// One daemon event (GET /events).
struct Event {
    std::string type;   ///< container, image, network, volume, daemon, ...
    std::string action; ///< start, die, oom, "health_status: unhealthy", ...
    std::string actor_id;
    Labels attributes; ///< name, image, exitCode, container labels, ...
    std::string scope;
    std::int64_t time_nano = 0;

    /// attributes["name"], or the id.
    [[nodiscard]] std::string actor_name() const;
    /// The exit code of a "die" event.
    [[nodiscard]] std::optional<int> exit_code() const;
};

struct EventOptions {
    std::map<std::string, std::vector<std::string>> filters; ///< e.g. {"type": {"container"}}
    std::string since;                                       ///< UNIX time "secs[.nanos]"
    std::string until;
};

struct VolumeInfo {
    std::string name;
    std::string driver;
    std::string mountpoint;
    Labels labels;
};

struct NetworkInfo {
    std::string id;
    std::string name;
    std::string driver;
    std::string scope;
    Labels labels;
};

struct ImageInfo {
    std::string id;
    std::vector<std::string> tags;
    std::int64_t size = 0;
    std::int64_t created = 0;
    Labels labels;
    std::string user; ///< Config.User (inspect only)
};

/// What medic reads of GET /info.
struct SystemInfo {
    std::string name;            ///< the host's name
    std::string docker_root_dir; ///< the data root, e.g. /var/lib/docker
    std::int64_t mem_total = 0;
    int containers_running = 0;
};

/// GET /system/df, summed per kind.
struct DiskUsage {
    std::int64_t layers_size = 0;
    std::int64_t images = 0;
    std::int64_t images_size = 0;
    std::int64_t containers = 0;
    std::int64_t containers_size = 0;
    std::int64_t volumes = 0;
    std::int64_t volumes_size = 0;
    std::int64_t build_cache_size = 0;
};

enum class PruneTarget { containers, images, networks, build_cache };

struct PruneReport {
    std::vector<std::string> deleted;
    std::int64_t space_reclaimed = 0;
};

} // namespace medic::docker
