#pragma once
// Connecting the CLI to a Docker daemon, with the one-line advice people need
// when nothing answers.

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "docker/client.hpp"

namespace medic::cli {

/// Resolves the endpoint (flag, DOCKER_HOST, default socket), builds a client and
/// negotiates the API version.
boost::asio::awaitable<Result<std::unique_ptr<docker::DockerClient>>>
connect_to_daemon(std::optional<std::string> docker_host);

/// One line for a person: what was tried and what to do.
std::string explain_connection_failure(const Error& error);

/// Runs `task` on `io` until it finishes and returns its value; an exception
/// escaping the coroutine is rethrown here.
template <typename T>
T run_blocking(boost::asio::io_context& io, boost::asio::awaitable<T> task)
{
    std::optional<T> value;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr error, T result) {
        failure = error;
        if (!error) {
            value.emplace(std::move(result));
        }
    });
    io.run();
    io.restart();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return std::move(*value);
}

} // namespace medic::cli
