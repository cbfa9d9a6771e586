#include "cli/run_command.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api_server.hpp"
#include "classify/classifier.hpp"
#include "cli/daemon_connection.hpp"
#include "common/task_group.hpp"
#include "docker/event_follower.hpp"
#include "heal/heal_engine.hpp"
#include "incident/incident_tracker.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"
#include "watch/container_watcher.hpp"
#include "watch/probe_scheduler.hpp"
#include "watch/self_container.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

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
        auto classifier = classify::Classifier::create_embedded();
        if (!classifier) {
            spdlog::error("error catalog: {}", classifier.error().message);
            co_return 2;
        }
        m_classifier = std::make_unique<classify::Classifier>(std::move(*classifier));
        auto playbooks = load_playbooks(m_settings);
        if (!playbooks) {
            spdlog::error("playbooks: {}", playbooks.error().message);
            co_return 2;
        }
        m_store = store::Store::open(m_settings.data_dir + "/medic.db");
        m_tracker = std::make_unique<incident::IncidentTracker>(*m_store);
        watch::WatcherOptions options;
        options.self_container_id = watch::own_container_id(); // never watched, never healed
        if (!options.self_container_id.empty()) {
            spdlog::info("running in container {}: medic leaves itself alone", options.self_container_id.substr(0, 12));
        }
        options.mode = m_settings.watch_mode;
        options.only = m_settings.watch_label;
        if (m_settings.watch_label) {
            spdlog::info("only containers labelled {} are watched, probed and healed",
                         m_settings.watch_label->to_string());
        }
        options.reconcile_interval = m_settings.reconcile_interval;
        m_watcher = std::make_unique<watch::ContainerWatcher>(*m_client, *m_classifier, *m_tracker, *m_store, options);
        auto heal_options = m_settings.heal;
        heal_options.self_container_id = options.self_container_id;
        heal_options.opt_in = m_settings.watch_mode == watch::WatchMode::opt_in;
        heal_options.only = m_settings.watch_label;
        m_engine = std::make_unique<heal::HealEngine>(m_io.get_executor(), *m_client, *m_store, *m_tracker,
                                                      std::move(*playbooks), heal_options);
        watch::ProbeOptions probe_options;
        probe_options.enabled = m_settings.probes;
        probe_options.mode = m_settings.watch_mode;
        probe_options.only = m_settings.watch_label;
        probe_options.self_container_id = options.self_container_id;
        probe_options.threshold = m_settings.probe_threshold;
        probe_options.start_period = m_settings.probe_start;
        probe_options.timeout = m_settings.probe_timeout;
        probe_options.host_interval = m_settings.host_interval;
        probe_options.host_thresholds = {m_settings.host_disk_percent, m_settings.host_memory_percent};
        m_probes = std::make_unique<watch::ProbeScheduler>(m_io.get_executor(), *m_client, *m_classifier, *m_tracker,
                                                           probe_options);
        m_engine->set_probes(m_probes.get());
        auto on_incident = [this](const incident::Incident& incident) {
            if (incident.count == 1) {
                spdlog::warn("incident {} {} on {} (rule {}): {}", incident.id, classify::to_string(incident.type),
                             incident.container_name, incident.rule.empty() ? "-" : incident.rule, incident.message);
            }
            m_engine->on_incident(incident);
        };
        m_watcher->on_incident(on_incident);
        m_probes->on_incident(on_incident);
        m_watcher->on_stopped([this](const watch::ContainerExit& exit) {
            m_probes->container_stopped(exit.container);
            m_engine->on_container_exited(exit.container, exit.exit_code, exit.requested);
        });
        m_watcher->on_started([this](const incident::ContainerRef& container) {
            m_probes->container_started(container);
            m_engine->on_container_started(container);
        });
        if (!start_api()) {
            co_return 2;
        }
        if (!m_settings.notify.targets.empty()) {
            m_notifier = std::make_unique<notify::Notifier>(m_io.get_executor(), m_settings.notify, m_client.get());
            spdlog::info("notifications to {} receiver(s), {}", m_settings.notify.targets.size(),
                         m_settings.notify.on == notify::NotifyOn::all ? "on incidents, escalations and resolutions"
                                                                       : "only when medic cannot heal");
        }
        // Every incident and action written reaches the API (events, metrics) and the notifier.
        m_store->set_observer([this](const store::Change& change) {
            if (m_api) {
                m_api->on_change(change);
            }
            if (m_notifier) {
                m_notifier->on_change(change);
            }
        });
        m_engine->recover_interrupted();
        if (!m_settings.heal.enabled) {
            spdlog::info("healing is off (config heal: false): medic detects and records only");
        } else if (m_settings.heal.policy.dry_run) {
            spdlog::info("dry run: medic plans and records its actions without taking them");
        }
        spdlog::info("watching with {} rules; history in {}", m_classifier->catalog().rules().size(),
                     m_store->degraded() ? std::string("memory") : m_settings.data_dir + "/medic.db");
        if (!m_stopping) {
            TaskGroup beside_the_watcher(m_io.get_executor(), "probe scheduler");
            beside_the_watcher.spawn(m_probes->run());
            if (m_api) {
                beside_the_watcher.spawn(m_api->run());
            }
            if (m_notifier) {
                beside_the_watcher.spawn(m_notifier->run());
            }
            co_await m_watcher->run();
            m_probes->stop();
            if (m_api) {
                m_api->stop();
            }
            if (m_notifier) {
                m_notifier->stop();
            }
            co_await beside_the_watcher.drained();
        }
        m_engine->stop();
        co_await m_engine->wait_idle();
        spdlog::info("stopped");
        co_return 0;
    }

    void stop()
    {
        m_stopping = true;
        m_timer.cancel();
        if (m_watcher) {
            m_watcher->stop();
        }
        if (m_probes) {
            m_probes->stop();
        }
        if (m_engine) {
            m_engine->stop();
        }
        if (m_api) {
            m_api->stop();
        }
        if (m_notifier) {
            m_notifier->stop();
        }
    }

private:
    /// The API on --listen: false when it must not start (a token missing for a public address).
    /// An address already in use is logged, and medic heals without its API.
    bool start_api()
    {
        const auto host = m_settings.listen.substr(0, m_settings.listen.rfind(':'));
        if (!api::is_loopback_host(host) && m_settings.api_token.empty()) {
            spdlog::error("the API would listen on {}, which is not loopback: set the operator token explicitly "
                          "(api_token in the config file, or MEDIC_API_TOKEN), or listen on 127.0.0.1",
                          m_settings.listen);
            return false;
        }
        auto optional_text = [](const std::string& text) {
            return text.empty() ? std::nullopt : std::optional<std::string>(text);
        };
        auto tokens = api::load_tokens(m_settings.data_dir, optional_text(m_settings.api_token),
                                       optional_text(m_settings.api_viewer_token));
        if (!tokens) {
            spdlog::error("API tokens: {}", tokens.error().message);
            return false;
        }
        api::ServerOptions options;
        options.listen = m_settings.listen;
        options.tokens = std::move(*tokens);
        api::ApiDependencies dependencies{*m_client, *m_store, *m_tracker, *m_classifier};
        dependencies.engine = m_engine.get();
        dependencies.followed_containers = [this] { return m_watcher->followed_count(); };
        dependencies.docker_version = m_version.server_version;
        dependencies.docker_api_version = m_version.negotiated_api_version;
        auto server =
            std::make_unique<api::ApiServer>(m_io.get_executor(), std::move(dependencies), std::move(options));
        auto port = server->listen();
        if (!port) {
            spdlog::error("the API is not served: {}; medic goes on watching and healing", port.error().message);
            return true;
        }
        m_api = std::move(server);
        spdlog::info("API and web UI on http://{} (tokens in {}/{} and {}/{})", m_settings.listen, m_settings.data_dir,
                     api::k_operator_token_file, m_settings.data_dir, api::k_viewer_token_file);
        return true;
    }

    /// Waits until the daemon answers; false when stopped first.
    asio::awaitable<bool> negotiate()
    {
        int attempt = 0;
        while (!m_stopping) {
            auto version = co_await m_client->negotiate();
            if (version) {
                m_version = *version;
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
    std::unique_ptr<classify::Classifier> m_classifier;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<incident::IncidentTracker> m_tracker;
    std::unique_ptr<watch::ContainerWatcher> m_watcher;
    std::unique_ptr<heal::HealEngine> m_engine;
    std::unique_ptr<watch::ProbeScheduler> m_probes;
    std::unique_ptr<api::ApiServer> m_api;
    std::unique_ptr<notify::Notifier> m_notifier;
    docker::VersionInfo m_version{};
    bool m_stopping = false;
};

} // namespace

Result<heal::PlaybookCatalog> load_playbooks(const Settings& settings)
{
    if (!settings.playbooks_file) {
        return heal::PlaybookCatalog::load_embedded();
    }
    std::ifstream file(*settings.playbooks_file);
    if (!file) {
        return fail(ErrorKind::io, fmt::format("cannot read the playbooks file '{}'", *settings.playbooks_file));
    }
    std::stringstream text;
    text << file.rdbuf();
    const std::vector<classify::RuleSource> sources{{*settings.playbooks_file, text.str()}};
    return heal::PlaybookCatalog::load(sources);
}

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
