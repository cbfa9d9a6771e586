#pragma once
// End-to-end tests run against a real Docker engine: DOCKER_HOST when set, else
// the sandbox engine that `make test` starts. Waits are conditions with a
// deadline; nothing sleeps for synchronisation.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "docker/client.hpp"
#include "docker/event_follower.hpp"

namespace medic::e2e {

/// The engine tests use: DOCKER_HOST, else the sandbox engine's socket.
std::string docker_host();

/// A free TCP port on 127.0.0.1 (bound and released at once).
std::uint16_t free_loopback_port();

/// Runs a command line (test scaffolding only, fixed strings) and returns its exit status.
int run_script(const std::string& command);

/// Output and exit status of a child process run to completion.
struct ProcessResult {
    int exit_code = -1;
    std::string output; ///< stdout and stderr interleaved
};

/// A child process whose output goes to a file, stopped with a signal.
class ChildProcess {
public:
    ChildProcess(std::vector<std::string> arguments, std::vector<std::string> extra_environment = {});
    ~ChildProcess();
    [[nodiscard]] std::string output() const;
    /// Sends `signal` and waits up to `deadline` for the exit; -1 when it did not exit.
    int stop(int signal, std::chrono::milliseconds deadline);
    /// Waits for the exit without a signal.
    int wait(std::chrono::milliseconds deadline);

private:
    int m_pid = -1;
    std::string m_output_path;
};

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// Runs `task` to completion on the test's io_context (background coroutines run too).
    template <typename T>
    T run(boost::asio::awaitable<T> task)
    {
        std::optional<T> value;
        std::exception_ptr failure;
        bool done = false;
        boost::asio::co_spawn(m_io, std::move(task), [&](std::exception_ptr error, T result) {
            failure = error;
            if (!error) {
                value.emplace(std::move(result));
            }
            done = true;
        });
        while (!done) {
            if (m_io.run_one() == 0) {
                m_io.restart(); // the context stops whenever it runs out of work
            }
        }
        if (failure) {
            std::rethrow_exception(failure);
        }
        return std::move(*value);
    }

    /// Polls `condition` (driving background coroutines) until it holds or `deadline` passes.
    bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

    /// A name unique to this test run, tracked for removal at the end of the test.
    std::string unique_name(const std::string& base);

    /// A container spec for the busybox tools image, labelled for cleanup.
    docker::ContainerSpec tools(std::vector<std::string> command) const;

    /// Creates and starts a container; fails the test when the daemon refuses.
    std::string start(const std::string& name, const docker::ContainerSpec& spec);

    /// Waits until the container's own health check reports healthy.
    bool wait_until_healthy(const std::string& name, std::chrono::milliseconds deadline);

    /// The medic-test/web health check: wget /health every `interval_ns`.
    static docker::HealthcheckSpec web_healthcheck(std::int64_t interval_ns, int retries);

    /// Follows events in the background; `events()` holds what arrived.
    void follow_events(docker::EventOptions options, docker::ReconnectPolicy policy = {});
    /// Waits until an event matching `predicate` arrived.
    std::optional<docker::Event> wait_for_event(const std::function<bool(const docker::Event&)>& predicate,
                                                std::chrono::milliseconds deadline);

    boost::asio::io_context m_io;
    std::unique_ptr<docker::DockerClient> m_client;
    std::string m_run_label; ///< medic.e2e.run=<this value> on every container of this test
    std::vector<docker::Event> m_events;
    std::unique_ptr<docker::DockerClient> m_event_client;
    std::unique_ptr<docker::EventFollower> m_follower;
    bool m_follower_done = true;

private:
    std::vector<std::string> m_names;
};

inline constexpr std::string_view k_tools_image = "medic-test/tools";

} // namespace medic::e2e
