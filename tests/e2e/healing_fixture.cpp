#include "healing_fixture.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <boost/asio/co_spawn.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "heal/action_registry.hpp"

namespace medic::e2e {

using namespace std::chrono_literals;

void HealingTest::SetUp()
{
    EngineTest::SetUp();
    auto classifier = classify::Classifier::create_embedded();
    ASSERT_TRUE(classifier) << classifier.error().message;
    m_classifier = std::make_unique<classify::Classifier>(std::move(*classifier));
    m_store = store::Store::open(":memory:");
    m_tracker = std::make_unique<incident::IncidentTracker>(*m_store);
}

heal::HealOptions HealingTest::test_options()
{
    heal::HealOptions options;
    options.settle = 1s;
    options.verify_timeout = 15s;
    options.poll_interval = 100ms;
    options.limits.backoff_initial = 1000;
    options.helper_image = "medic/helper:latest";
    options.opt_in = true; // as the watcher: only this test's containers
    return options;
}

void HealingTest::start_medic(heal::HealOptions options)
{
    auto playbooks = heal::PlaybookCatalog::load_embedded();
    ASSERT_TRUE(playbooks) << playbooks.error().message;
    watch::WatcherOptions watcher_options;
    watcher_options.mode = watch::WatchMode::opt_in;
    watcher_options.only = docker::LabelSelector{"medic.e2e.run", m_run_label}; // only this test's containers
    options.only = watcher_options.only; // nor a dependency or dependent of another test's
    watcher_options.reconcile_interval = 500ms;
    m_watcher =
        std::make_unique<watch::ContainerWatcher>(*m_client, *m_classifier, *m_tracker, *m_store, watcher_options);
    m_engine = std::make_unique<heal::HealEngine>(m_io.get_executor(), *m_client, *m_store, *m_tracker,
                                                  std::move(*playbooks), std::move(options));
    m_watcher->on_incident([this](const incident::Incident& incident) {
        if (incident.count == 1) {
            spdlog::info("incident {} {} on {}: {}", incident.id, classify::to_string(incident.type),
                         incident.container_name, incident.message);
        }
        m_engine->on_incident(incident);
    });
    m_watcher->on_stopped([this](const watch::ContainerExit& exit) {
        m_engine->on_container_exited(exit.container, exit.exit_code, exit.requested);
    });
    m_watcher->on_started(
        [this](const incident::ContainerRef& container) { m_engine->on_container_started(container); });
    m_watching = true;
    boost::asio::co_spawn(m_io, m_watcher->run(), [this](std::exception_ptr) { m_watching = false; });
}

watch::ProbeOptions HealingTest::probe_test_options()
{
    watch::ProbeOptions options;
    options.mode = watch::WatchMode::opt_in;
    options.threshold = 2;
    options.start_period = 0s;
    options.timeout = 2s;
    options.refresh = 1s;
    options.host = false;
    return options;
}

void HealingTest::start_probes(watch::ProbeOptions options)
{
    ASSERT_TRUE(m_watcher && m_engine) << "start_medic first";
    options.only = docker::LabelSelector{"medic.e2e.run", m_run_label}; // never another test's containers
    m_probes = std::make_unique<watch::ProbeScheduler>(m_io.get_executor(), *m_client, *m_classifier, *m_tracker,
                                                       std::move(options));
    m_engine->set_probes(m_probes.get());
    m_probes->on_incident([this](const incident::Incident& incident) {
        if (incident.count == 1) {
            spdlog::info("incident {} {} on {} (probe): {}", incident.id, classify::to_string(incident.type),
                         incident.container_name, incident.message);
        }
        m_engine->on_incident(incident);
    });
    m_watcher->on_stopped([this](const watch::ContainerExit& exit) {
        m_probes->container_stopped(exit.container);
        m_engine->on_container_exited(exit.container, exit.exit_code, exit.requested);
    });
    m_watcher->on_started([this](const incident::ContainerRef& container) {
        m_probes->container_started(container);
        m_engine->on_container_started(container);
    });
    m_probing = true;
    boost::asio::co_spawn(m_io, m_probes->run(), [this](std::exception_ptr) { m_probing = false; });
}

void HealingTest::TearDown()
{
    if (m_probes) {
        m_probes->stop();
        EXPECT_TRUE(wait_until([this] { return !m_probing; }, 20s)) << "the probes did not stop";
    }
    if (m_engine) {
        m_engine->stop();
    }
    if (m_watcher) {
        m_watcher->stop();
        EXPECT_TRUE(wait_until([this] { return !m_watching; }, 20s)) << "the watcher did not stop";
    }
    if (m_engine) {
        EXPECT_TRUE(wait_until([this] { return m_engine->idle(); }, 20s)) << "the engine did not stop";
    }
    EngineTest::TearDown();
    for (const auto& volume : m_volumes) {
        (void)run(m_client->remove_volume(volume));
    }
    for (const auto& folder : m_folders) {
        std::error_code error;
        std::filesystem::remove_all(folder, error);
    }
}

docker::ContainerSpec HealingTest::watched(std::string image, std::vector<std::string> command) const
{
    docker::ContainerSpec spec;
    spec.image = std::move(image);
    spec.command = std::move(command);
    spec.labels = {{"medic.e2e", "true"}, {"medic.e2e.run", m_run_label}, {"medic.enable", "true"}};
    return spec;
}

std::string HealingTest::unique_volume(const std::string& base)
{
    auto name = fmt::format("medic-e2e-{}-{}-{}", base, ::getpid(), m_volumes.size());
    const docker::Labels labels{{"medic.e2e", "true"}};
    auto created = run(m_client->create_volume(name, labels));
    EXPECT_TRUE(created) << created.error().message;
    m_volumes.push_back(name);
    return name;
}

int HealingTest::run_tool(const std::string& container, std::vector<std::string> command)
{
    auto spec = tools(std::move(command));
    spec.user = "0";
    spec.volumes_from = {container};
    auto id = run(m_client->create_container("", spec));
    if (!id) {
        ADD_FAILURE() << "tool container: " << id.error().message;
        return -1;
    }
    (void)run(m_client->start_container(*id));
    auto code = run(m_client->wait_container(*id));
    (void)run(m_client->remove_container(*id, docker::RemoveOptions{true, false}));
    return code ? *code : -1;
}

int HealingTest::run_tool_on_volume(const std::string& volume, std::vector<std::string> command)
{
    auto spec = tools(std::move(command));
    spec.user = "0";
    spec.binds = {volume + ":/data"};
    auto id = run(m_client->create_container("", spec));
    if (!id) {
        ADD_FAILURE() << "tool container: " << id.error().message;
        return -1;
    }
    (void)run(m_client->start_container(*id));
    auto code = run(m_client->wait_container(*id));
    (void)run(m_client->remove_container(*id, docker::RemoveOptions{true, false}));
    return code ? *code : -1;
}

std::string HealingTest::exec(const std::string& container, std::vector<std::string> command)
{
    docker::ExecSpec spec;
    spec.command = std::move(command);
    auto output = run(m_client->exec(container, spec, 20s));
    if (!output || output->exit_code != 0) {
        return {};
    }
    return output->stdout_text;
}

std::vector<incident::Incident> HealingTest::incidents_of(const std::string& container)
{
    store::IncidentQuery query;
    query.container = container;
    return m_store->incidents(query);
}

std::optional<incident::Incident> HealingTest::wait_for_incident(const std::string& container, classify::ErrorType type,
                                                                 incident::IncidentState state,
                                                                 std::chrono::milliseconds deadline)
{
    std::optional<incident::Incident> found;
    wait_until(
        [&] {
            for (auto& incident : incidents_of(container)) {
                if (incident.type == type && incident.state == state) {
                    found = incident;
                    return true;
                }
            }
            return false;
        },
        deadline);
    return found;
}

std::vector<store::ActionRecord> HealingTest::actions_of(std::int64_t incident_id)
{
    auto actions = m_store->actions(incident_id, store::Page{1, 500});
    std::reverse(actions.begin(), actions.end());
    return actions;
}

std::vector<store::ActionRecord> HealingTest::actions_on(const std::string& container)
{
    std::vector<store::ActionRecord> matching;
    for (auto& action : actions_of(0)) {
        if (action.container_name == container) {
            matching.push_back(std::move(action));
        }
    }
    return matching;
}

bool HealingTest::wait_for_redis(const std::string& container, std::chrono::milliseconds deadline)
{
    return wait_until([&] { return exec(container, {"redis-cli", "ping"}).starts_with("PONG"); }, deadline);
}

heal::ActionResult HealingTest::run_action(std::string_view action, const std::string& container,
                                           classify::Context context, heal::HealOptions options)
{
    const auto* registered = heal::find_action(action);
    if (registered == nullptr) {
        ADD_FAILURE() << "no action " << action;
        return {};
    }
    auto details = run(m_client->inspect_container(container));
    if (!details) {
        ADD_FAILURE() << "inspect " << container << ": " << details.error().message;
        return {};
    }
    incident::Incident incident;
    incident.id = 1;
    incident.container_id = details->id;
    incident.container_name = details->name;
    incident.context = std::move(context);
    heal::VolumeHelper helper(*m_client, options.helper_image);
    heal::ActionContext action_context{
        *m_client, helper, *m_store, options, incident, *details, heal::detect_profile(*details)};
    return run(registered->run(action_context));
}

std::string HealingTest::root_owned_folder(const std::string& base)
{
    auto folder = fmt::format("/tmp/medic-e2e-{}-{}-{}", base, ::getpid(), m_folders.size());
    std::error_code error;
    std::filesystem::remove_all(folder, error);
    std::filesystem::create_directories(folder);
    ::chown(folder.c_str(), 0, 0);
    ::chmod(folder.c_str(), 0755);
    m_folders.push_back(folder);
    return folder;
}

} // namespace medic::e2e
