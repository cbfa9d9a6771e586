// Detection end to end: real containers fail, the watcher (the code `medic run`
// runs) classifies what it sees, and the incidents land in the history.

#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <fmt/format.h>

#include "engine_fixture.hpp"
#include "incident/incident_tracker.hpp"
#include "store/store.hpp"
#include "watch/container_watcher.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;
using classify::ErrorType;

class DetectionTest : public EngineTest {
protected:
    void SetUp() override
    {
        EngineTest::SetUp();
        auto classifier = classify::Classifier::create_embedded();
        ASSERT_TRUE(classifier) << classifier.error().message;
        m_classifier = std::make_unique<classify::Classifier>(std::move(*classifier));
        m_store = store::Store::open(":memory:");
        m_tracker = std::make_unique<incident::IncidentTracker>(*m_store);
        watch::WatcherOptions options;
        options.mode = watch::WatchMode::opt_in;
        options.only = docker::LabelSelector{"medic.e2e.run", m_run_label}; // only this test's containers
        options.reconcile_interval = 500ms;
        m_watcher = std::make_unique<watch::ContainerWatcher>(*m_client, *m_classifier, *m_tracker, *m_store, options);
        m_watching = true;
        boost::asio::co_spawn(m_io, m_watcher->run(), [this](std::exception_ptr) { m_watching = false; });
    }

    void TearDown() override
    {
        if (m_watcher) {
            m_watcher->stop();
            EXPECT_TRUE(wait_until([this] { return !m_watching; }, 10s)) << "the watcher did not stop";
        }
        EngineTest::TearDown();
    }

    /// A watched container of `image`.
    docker::ContainerSpec watched(std::string image, std::vector<std::string> command = {}) const
    {
        docker::ContainerSpec spec;
        spec.image = std::move(image);
        spec.command = std::move(command);
        spec.labels = {{"medic.e2e", "true"}, {"medic.e2e.run", m_run_label}, {"medic.enable", "true"}};
        return spec;
    }

    std::vector<incident::Incident> incidents_of(const std::string& name, ErrorType type)
    {
        store::IncidentQuery query;
        query.container = name;
        std::vector<incident::Incident> matching;
        for (auto& incident : m_store->incidents(query)) {
            if (incident.type == type) {
                matching.push_back(std::move(incident));
            }
        }
        return matching;
    }

    std::optional<incident::Incident> wait_for_incident(const std::string& name, ErrorType type,
                                                        std::chrono::milliseconds deadline)
    {
        std::optional<incident::Incident> found;
        wait_until(
            [&] {
                auto incidents = incidents_of(name, type);
                if (!incidents.empty()) {
                    found = incidents.front();
                }
                return found.has_value();
            },
            deadline);
        return found;
    }

    std::unique_ptr<classify::Classifier> m_classifier;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<incident::IncidentTracker> m_tracker;
    std::unique_ptr<watch::ContainerWatcher> m_watcher;
    bool m_watching = false;
};

TEST_F(DetectionTest, RedisThatCannotWriteItsAppendOnlyDirIsOnePermissionIncident)
{
    const auto directory = fmt::format("/tmp/medic-e2e-redis-{}", ::getpid());
    ::mkdir(directory.c_str(), 0755); // owned by root: Redis runs as 999
    const auto name = unique_name("redis-denied");
    auto spec = watched("medic-test/redis");
    spec.binds = {directory + ":/data"};
    start(name, spec);

    auto incident = wait_for_incident(name, ErrorType::permission_denied, 20s);
    ASSERT_TRUE(incident) << "no PERMISSION_DENIED incident for " << name;
    EXPECT_EQ(incident->context["path"], "appendonlydir");
    EXPECT_NE(incident->message.find("Can't open or create append-only dir"), std::string::npos) << incident->message;
    const auto detect_ms = incident->first_seen - incident->signal_time;
    std::cout << "[ measure  ] from the Redis log line to the stored incident: " << detect_ms << " ms\n";
    EXPECT_LE(detect_ms, 1000) << "stored within 1 s of the log line";
    EXPECT_EQ(incidents_of(name, ErrorType::permission_denied).size(), 1U);
    ::rmdir(directory.c_str());
}

TEST_F(DetectionTest, ContainerKilledByItsMemoryLimitIsResourceExhaustedMemory)
{
    const auto name = unique_name("oom");
    auto spec = watched(std::string(k_tools_image), {"sh", "-c", "head -c 200m /dev/zero | tail"});
    spec.memory_bytes = 8 << 20;
    start(name, spec);
    auto incident = wait_for_incident(name, ErrorType::resource_exhausted, 30s);
    ASSERT_TRUE(incident);
    EXPECT_EQ(incident->context["resource"], "memory");
    EXPECT_EQ(incidents_of(name, ErrorType::resource_exhausted).size(), 1U) << "the oom event and OOMKilled are one";
}

TEST_F(DetectionTest, ExitCode137WithoutOomIsNotAnOom)
{
    const auto name = unique_name("killed");
    start(name, watched(std::string(k_tools_image), {"sleep", "300"}));
    ASSERT_TRUE(run(m_client->kill_container(name, "KILL")));
    // Events are handled in order: once a later container's finding is stored, the
    // die of the killed one has been fully handled (inspect included).
    const auto marker = unique_name("marker");
    start(marker, watched(std::string(k_tools_image),
                          {"sh", "-c", "echo \"Can't open or create append-only dir x: Permission denied\""}));
    ASSERT_TRUE(wait_for_incident(marker, ErrorType::permission_denied, 20s));
    auto killed = run(m_client->inspect_container(name));
    ASSERT_TRUE(killed);
    EXPECT_EQ(killed->exit_code, 137);
    EXPECT_FALSE(killed->oom_killed);
    EXPECT_TRUE(incidents_of(name, ErrorType::resource_exhausted).empty());
}

TEST_F(DetectionTest, FailingHealthcheckIsHealthCheckFailedAndHealthyAgainResolvesIt)
{
    const auto name = unique_name("web");
    auto spec = watched("medic-test/web");
    spec.healthcheck = web_healthcheck(300'000'000, 1);
    start(name, spec);
    ASSERT_TRUE(wait_until_healthy(name, 30s));
    docker::ExecSpec fail;
    fail.command = {"web-control", "fail"};
    ASSERT_TRUE(run(m_client->exec(name, fail)));
    auto incident = wait_for_incident(name, ErrorType::health_check_failed, 30s);
    ASSERT_TRUE(incident);
    EXPECT_EQ(incident->state, incident::IncidentState::open);

    docker::ExecSpec heal;
    heal.command = {"web-control", "ok"};
    ASSERT_TRUE(run(m_client->exec(name, heal)));
    EXPECT_TRUE(wait_until(
        [&] {
            auto stored = m_store->incident_by_id(incident->id);
            return stored && stored->state == incident::IncidentState::resolved;
        },
        30s))
        << "healthy again must resolve the incident";
}

TEST_F(DetectionTest, PortAlreadyAllocatedIsClassifiedFromTheDaemonsStateError)
{
    const auto port = free_loopback_port();
    auto spec = watched(std::string(k_tools_image), {"sleep", "300"});
    spec.ports.push_back(docker::PortBinding{80, "tcp", "127.0.0.1", port});
    start(unique_name("port-holder"), spec);
    const auto name = unique_name("port-blocked");
    auto id = run(m_client->create_container(name, spec));
    ASSERT_TRUE(id);
    EXPECT_FALSE(run(m_client->start_container(*id))); // refused: the port is taken
    auto incident = wait_for_incident(name, ErrorType::port_conflict, 20s);
    ASSERT_TRUE(incident) << "the created container's State.Error was not classified";
    EXPECT_EQ(incident->context["port"], std::to_string(port));
}

TEST_F(DetectionTest, NameConflictIsClassifiedFromTheDaemonsAnswer)
{
    const auto name = unique_name("name-taken");
    ASSERT_TRUE(run(m_client->create_container(name, watched(std::string(k_tools_image), {"true"}))));
    auto refused = run(m_client->create_container(name, watched(std::string(k_tools_image), {"true"})));
    ASSERT_FALSE(refused);
    m_watcher->report_daemon_error({"", name}, refused.error());
    auto incident = wait_for_incident(name, ErrorType::container_name_conflict, 5s);
    ASSERT_TRUE(incident) << refused.error().message;
    EXPECT_NE(incident->message.find("is already in use"), std::string::npos);
}

TEST_F(DetectionTest, ContainerCrashingEverySecondIsOneCrashLoopIncident)
{
    const auto name = unique_name("crasher");
    auto spec = watched(std::string(k_tools_image), {"sh", "-c", "echo crashing; exit 1"});
    spec.restart_policy = "always";
    start(name, spec);
    ASSERT_TRUE(wait_until(
        [&] {
            auto loops = incidents_of(name, ErrorType::crash_loop);
            return !loops.empty() && loops.front().count >= 3;
        },
        60s))
        << "the restarts were not seen as a crash loop";
    ASSERT_TRUE(run(m_client->remove_container(name, {true, false})));
    EXPECT_EQ(incidents_of(name, ErrorType::crash_loop).size(), 1U) << "one incident, not one per exit";
}

TEST_F(DetectionTest, MistypedMedicLabelIsReportedOnTheContainer)
{
    const auto name = unique_name("typo");
    auto spec = watched(std::string(k_tools_image), {"sleep", "300"});
    spec.labels["medic.max-atempts"] = "3";
    start(name, spec);
    auto incident = wait_for_incident(name, ErrorType::config_error, 20s);
    ASSERT_TRUE(incident);
    EXPECT_NE(incident->message.find("medic.max-atempts"), std::string::npos) << incident->message;
    EXPECT_NE(incident->message.find("did you mean 'medic.max-attempts'"), std::string::npos) << incident->message;
}

} // namespace
} // namespace medic::e2e
