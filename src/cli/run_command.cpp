#include "cli/run_command.hpp"

#include <csignal>
#include <filesystem>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/daemon_connection.hpp"
#include "docker/event_follower.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

std::string describe(const docker::Event& event)
{
    std::string text = fmt::format("{} {} {}", event.type, event.action, event.actor_name());
    if (auto code = event.exit_code()) {
        text += fmt::format(" (exit code {})", *code);
    }
    if (auto image = event.attributes.find("image"); image != event.attributes.end() && event.type == "container") {
        text += fmt::format(" [{}]", image->second);
    }
    return text;
}

class Supervisor {
public:
    Supervisor(asio::io_context& io, const Settings& settings) : m_io(io), m_settings(settings), m_timer(io) {}

    asio::awaitable<int> run()
    {
        auto endpoint = docker::resolve_endpoint(m_settings.docker_host, docker::DockerEnvironment::from_process());
        if (!endpoint) {
            spdlog::error("{}", endpoint.error().message);
            co_return 2;
        }
        auto client = docker::DockerClient::create(m_io.get_executor(), *endpoint);
        if (!client) {
            spdlog::error("{}", client.error().message);
            co_return 2;
        }
        m_client = std::move(*client);
        if (!co_await negotiate()) {
            co_return 0; // stopped before the daemon answered
        }
        m_follower = std::make_unique<docker::EventFollower>(*m_client, docker::EventOptions{});
        m_follower->on_disconnect(
            [](const Error& error) { spdlog::warn("event stream: {}", explain_connection_failure(error)); });
        while (!m_stopping) {
            auto event = co_await m_follower->next();
            if (!event) {
                spdlog::error("event stream refused: {}", event.error().message);
                co_return 1;
            }
            if (!event->has_value()) {
                break;
            }
            spdlog::info("event: {}", describe(**event));
        }
        spdlog::info("stopped");
        co_return 0;
    }

    void stop()
    {
        m_stopping = true;
        m_timer.cancel();
        if (m_follower) {
            m_follower->stop();
        }
    }

private:
    /// Waits until the daemon answers; false when stopped first.
    asio::awaitable<bool> negotiate()
    {
        int attempt = 0;
        while (!m_stopping) {
            auto version = co_await m_client->negotiate();
            if (version) {
                spdlog::info("connected to Docker {} at {} (API {}, daemon API {})", version->server_version,
                             m_client->endpoint().to_string(), version->negotiated_api_version,
                             version->server_api_version);
                co_return true;
            }
            auto delay = docker::reconnect_delay(
                docker::ReconnectPolicy{std::chrono::milliseconds(500), std::chrono::seconds(10)}, attempt++);
            spdlog::warn("{} Retrying in {} ms.", explain_connection_failure(version.error()), delay.count());
            m_timer.expires_after(delay);
            co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        co_return false;
    }

    asio::io_context& m_io;
    const Settings& m_settings;
    asio::steady_timer m_timer;
    std::unique_ptr<docker::DockerClient> m_client;
    std::unique_ptr<docker::EventFollower> m_follower;
    bool m_stopping = false;
};

} // namespace

int run_daemon(const Settings& settings)
{
    std::error_code error;
    std::filesystem::create_directories(settings.data_dir, error);
    if (error) {
        spdlog::error("cannot create the data dir '{}': {} (pass --data-dir DIR)", settings.data_dir, error.message());
        return 1;
    }
    spdlog::info("medic starting: data dir {}, API address {}{}", settings.data_dir, settings.listen,
                 settings.config_file ? ", config " + *settings.config_file : "");

    asio::io_context io(1);
    Supervisor supervisor(io, settings);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& wait_error, int signal_number) {
        if (!wait_error) {
            spdlog::info("signal {} received, stopping", signal_number);
            supervisor.stop();
        }
    });
    int exit_code = 0;
    asio::co_spawn(io, supervisor.run(), [&](std::exception_ptr failure, int code) {
        exit_code = code;
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& exception) {
                spdlog::critical("unexpected failure: {}", exception.what());
                exit_code = 70;
            }
        }
        signals.cancel();
    });
    io.run();
    return exit_code;
}

} // namespace medic::cli
