#include "cli/daemon_connection.hpp"

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

namespace medic::cli {

boost::asio::awaitable<Result<std::unique_ptr<docker::DockerClient>>>
connect_to_daemon(std::optional<std::string> docker_host)
{
    auto endpoint = docker::resolve_endpoint(docker_host, docker::DockerEnvironment::from_process());
    if (!endpoint) {
        co_return tl::unexpected(endpoint.error());
    }
    auto client = docker::DockerClient::create(co_await boost::asio::this_coro::executor, *endpoint);
    if (!client) {
        co_return tl::unexpected(client.error());
    }
    auto version = co_await (*client)->negotiate();
    if (!version) {
        co_return tl::unexpected(version.error());
    }
    co_return std::move(*client);
}

std::string explain_connection_failure(const Error& error)
{
    if (error.kind == ErrorKind::connect_failed || error.kind == ErrorKind::timeout) {
        return fmt::format("{}. Is the Docker daemon running? Point medic at it with --docker-host URL or "
                           "DOCKER_HOST (for a private test engine: scripts/sandbox-engine start, then "
                           "--docker-host unix:///var/lib/medic-sandbox/docker.sock).",
                           error.message);
    }
    return error.message;
}

} // namespace medic::cli
