#pragma once
// Typed calls of the Docker Engine API. Every call answers a Result: the daemon's
// refusals come back as ErrorKind::daemon with its HTTP status and message verbatim.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/result.hpp"
#include "docker/endpoint.hpp"
#include "docker/http_transport.hpp"
#include "docker/types.hpp"

namespace medic::docker {

class LogStream;
class EventStream;

/// The newest API version this client speaks; the daemon's may be lower or higher.
inline constexpr std::string_view k_client_api_version = "1.51";
/// The oldest API version this client accepts (Docker 18.09 and later).
inline constexpr std::string_view k_minimum_api_version = "1.39";

struct ClientOptions {
    std::chrono::milliseconds call_timeout{30000};
    TransportLimits limits{};
    std::size_t max_exec_output = 4U * 1024U * 1024U; ///< per stream
};

/// min(ours, the daemon's) of two "major.minor" versions; the daemon refuses clients
/// below its minimum (Docker 29 refuses anything under 1.44), so the version is never pinned.
std::string negotiate_api_version(std::string_view client, std::string_view server);

/// Compares "major.minor" versions numerically: -1, 0 or 1.
int compare_api_versions(std::string_view left, std::string_view right);

class DockerClient {
public:
    DockerClient(std::shared_ptr<HttpTransport> transport, ClientOptions options = {});

    /// Builds a client for `endpoint`; fails only when TLS files cannot be loaded.
    static Result<std::unique_ptr<DockerClient>> create(boost::asio::any_io_executor executor, Endpoint endpoint,
                                                        ClientOptions options = {});

    [[nodiscard]] const Endpoint& endpoint() const { return m_transport->endpoint(); }
    /// The version sent on every call; the client's own until negotiate() ran.
    [[nodiscard]] const std::string& api_version() const { return m_api_version; }

    /// Asks /_ping and /version, settles the API version used from now on.
    boost::asio::awaitable<Result<VersionInfo>> negotiate();
    /// GET /_ping: true when the daemon answers OK.
    boost::asio::awaitable<Result<void>> ping();

    // Containers
    boost::asio::awaitable<Result<std::vector<ContainerSummary>>> list_containers(ListContainersOptions options = {});
    boost::asio::awaitable<Result<ContainerDetails>> inspect_container(std::string_view id_or_name);
    /// Creates a container and returns its id; `name` may be empty.
    boost::asio::awaitable<Result<std::string>> create_container(std::string_view name, const ContainerSpec& spec);
    /// Creates a container from a full JSON create body (as taken from an inspect).
    boost::asio::awaitable<Result<std::string>> create_container_from_json(std::string_view name,
                                                                           std::string body_json);
    boost::asio::awaitable<Result<void>> start_container(std::string_view id_or_name);
    boost::asio::awaitable<Result<void>> stop_container(std::string_view id_or_name, int timeout_seconds = 10);
    boost::asio::awaitable<Result<void>> restart_container(std::string_view id_or_name, int timeout_seconds = 10);
    boost::asio::awaitable<Result<void>> kill_container(std::string_view id_or_name, std::string_view signal = "KILL");
    boost::asio::awaitable<Result<void>> remove_container(std::string_view id_or_name, RemoveOptions options = {});
    boost::asio::awaitable<Result<void>> rename_container(std::string_view id_or_name, std::string_view new_name);
    /// Waits until the container stops ("not-running", "next-exit" or "removed") and returns its exit code.
    boost::asio::awaitable<Result<int>> wait_container(std::string_view id_or_name,
                                                       std::string_view condition = "not-running",
                                                       std::chrono::milliseconds timeout = std::chrono::minutes(5));

    /// The container's processes; `ps_arguments` as `docker top` takes them ("-o pid,uid,gid,comm").
    boost::asio::awaitable<Result<ProcessList>> top(std::string_view id_or_name, std::string_view ps_arguments = {});
    /// What the daemon says of `path` inside the container's file system (with its volumes), without
    /// copying it; running or not. A path that does not exist is a daemon error with status 404.
    boost::asio::awaitable<Result<PathStat>> stat_path(std::string_view id_or_name, std::string_view path);

    // Exec
    boost::asio::awaitable<Result<std::string>> create_exec(std::string_view container, const ExecSpec& spec);
    /// Runs an exec created by create_exec and captures its output (capped per stream).
    boost::asio::awaitable<Result<ExecOutput>> start_exec(std::string_view exec_id,
                                                          std::chrono::milliseconds timeout = std::chrono::minutes(2));
    boost::asio::awaitable<Result<ExecState>> inspect_exec(std::string_view exec_id);
    /// create + start + inspect: runs `spec` inside the container and returns its output and exit code.
    boost::asio::awaitable<Result<ExecOutput>> exec(std::string_view container, const ExecSpec& spec,
                                                    std::chrono::milliseconds timeout = std::chrono::minutes(2));

    // Logs and events
    /// Opens the container's log stream; multiplexed or raw TTY is decided from the container.
    boost::asio::awaitable<Result<std::unique_ptr<LogStream>>> open_logs(std::string_view id_or_name,
                                                                         LogOptions options);
    boost::asio::awaitable<Result<std::unique_ptr<EventStream>>> open_events(const EventOptions& options);
    /// The last `count` lines a container wrote (stdout and stderr), oldest first; {} when unreadable.
    boost::asio::awaitable<std::vector<std::string>> last_lines(std::string_view id_or_name, int count);

    // Volumes, networks, images, system
    boost::asio::awaitable<Result<std::vector<VolumeInfo>>> list_volumes();
    boost::asio::awaitable<Result<VolumeInfo>> create_volume(std::string_view name, const Labels& labels = {});
    boost::asio::awaitable<Result<VolumeInfo>> inspect_volume(std::string_view name);
    boost::asio::awaitable<Result<void>> remove_volume(std::string_view name);
    boost::asio::awaitable<Result<std::vector<NetworkInfo>>> list_networks();
    boost::asio::awaitable<Result<NetworkInfo>> inspect_network(std::string_view id_or_name);
    boost::asio::awaitable<Result<void>> connect_network(std::string_view network, std::string_view container);
    boost::asio::awaitable<Result<void>> disconnect_network(std::string_view network, std::string_view container);
    boost::asio::awaitable<Result<std::vector<ImageInfo>>> list_images();
    boost::asio::awaitable<Result<ImageInfo>> inspect_image(std::string_view name);
    boost::asio::awaitable<Result<SystemInfo>> system_info();
    boost::asio::awaitable<Result<DiskUsage>> disk_usage();
    boost::asio::awaitable<Result<PruneReport>> prune(PruneTarget target, const Labels& filters = {});

private:
    /// Sends a call under /v{api_version}; a status >= 400 becomes a daemon Error.
    boost::asio::awaitable<Result<HttpResponse>> call(HttpMethod method, std::string path, std::string body = {},
                                                      std::chrono::milliseconds timeout = {});
    std::string versioned(std::string_view path) const;

    std::shared_ptr<HttpTransport> m_transport;
    ClientOptions m_options;
    std::string m_api_version{k_client_api_version};
};

/// Percent-encodes a query value or path segment.
std::string url_encode(std::string_view text);

} // namespace medic::docker
