// A second, isolated engine (no bridge, no iptables) beside the sandbox one, so
// that it can be restarted mid-stream and serve TCP+TLS without disturbing the
// other tests.

#include <fmt/format.h>

#include <fstream>
#include <set>

#include <boost/asio/co_spawn.hpp>

#include "engine_fixture.hpp"
#include "heal/action_registry.hpp"
#include "heal/volume_helper.hpp"
#include "incident/incident_tracker.hpp"
#include "store/store.hpp"
#include "watch/container_watcher.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;

const std::string k_directory = "/var/lib/medic-sandbox-isolated";
const std::string k_socket = "unix://" + k_directory + "/docker.sock";

std::string script()
{
    return std::string(MEDIC_SOURCE_DIR) + "/scripts/sandbox-engine";
}

class IsolatedEngineTest : public EngineTest {
protected:
    static void SetUpTestSuite()
    {
        s_tls_port = free_loopback_port();
        s_ready = run_script(fmt::format("{} stop --dir {} && {} start --dir {} --isolated --tls-port {}", script(),
                                         k_directory, script(), k_directory, s_tls_port)) == 0 &&
                  // The tools image, copied over from the main engine.
                  run_script(fmt::format("docker -H {} save {} | docker -H {} load -q >/dev/null", docker_host(),
                                         k_tools_image, k_socket)) == 0;
    }

    static void TearDownTestSuite() { run_script(fmt::format("{} stop --dir {}", script(), k_directory)); }

    void SetUp() override
    {
        ASSERT_TRUE(s_ready) << "the isolated engine did not start; see " << k_directory << "/dockerd.log";
        ::setenv("DOCKER_HOST", k_socket.c_str(), 1);
        EngineTest::SetUp();
    }

    void TearDown() override
    {
        EngineTest::TearDown();
        ::setenv("DOCKER_HOST", m_original_host.c_str(), 1);
    }

    bool restart_engine() const
    {
        return run_script(fmt::format("{} stop --dir {} && {} start --dir {} --isolated --tls-port {}", script(),
                                      k_directory, script(), k_directory, s_tls_port)) == 0;
    }

    docker::ContainerSpec isolated_tools(std::vector<std::string> command) const
    {
        auto spec = tools(std::move(command));
        spec.network_mode = "none";
        return spec;
    }

    static inline std::uint16_t s_tls_port = 0;
    static inline bool s_ready = false;
    std::string m_original_host = docker_host();
};

TEST_F(IsolatedEngineTest, EventStreamSurvivesAnEngineRestartWithoutLosingEvents)
{
    docker::EventOptions options;
    options.filters["type"] = {"container"};
    options.filters["label"] = {"medic.e2e.run=" + m_run_label};
    follow_events(options);

    const auto before = unique_name("before-restart");
    start(before, isolated_tools({"sleep", "300"}));
    ASSERT_TRUE(wait_for_event(
        [&](const auto& event) { return event.action == "start" && event.actor_name() == before; }, 10s));

    // While the engine restarts and a container lives and dies, the follower is not
    // driven at all: those events can only reach it through the resume.
    ASSERT_TRUE(restart_engine());
    const auto during = unique_name("while-disconnected");
    ASSERT_EQ(run_script(fmt::format("docker -H {} run --name {} --network none --label medic.e2e=true --label "
                                     "medic.e2e.run={} {} sh -c 'exit 7'",
                                     k_socket, during, m_run_label, k_tools_image)),
              7);

    auto died =
        wait_for_event([&](const auto& event) { return event.action == "die" && event.actor_name() == during; }, 30s);
    ASSERT_TRUE(died) << "the events of the restart window were lost";
    EXPECT_EQ(died->exit_code(), 7);
    EXPECT_TRUE(wait_for_event(
        [&](const auto& event) { return event.action == "create" && event.actor_name() == during; }, 1s));
    EXPECT_GE(m_follower->reconnects(), 1);
    const auto starts_of_before = std::count_if(m_events.begin(), m_events.end(), [&](const auto& event) {
        return event.action == "start" && event.actor_name() == before;
    });
    EXPECT_EQ(starts_of_before, 1) << "an event was delivered twice";
}

TEST_F(IsolatedEngineTest, TlsWithClientCertificates)
{
    docker::DockerEnvironment environment;
    environment.tls_verify = "1";
    environment.cert_path = k_directory + "/tls";
    auto endpoint = docker::parse_endpoint(fmt::format("tcp://127.0.0.1:{}", s_tls_port), environment);
    ASSERT_TRUE(endpoint);
    auto client = docker::DockerClient::create(m_io.get_executor(), *endpoint);
    ASSERT_TRUE(client) << client.error().message;
    auto version = run((*client)->negotiate());
    ASSERT_TRUE(version) << version.error().message;
    const auto name = unique_name("over-tls");
    auto id = run((*client)->create_container(name, isolated_tools({"true"})));
    ASSERT_TRUE(id) << id.error().message;
    auto inspected = run((*client)->inspect_container(name));
    ASSERT_TRUE(inspected);
    EXPECT_EQ(inspected->id, *id);

    // Without verification settings the daemon refuses a plain connection, and a
    // client whose CA does not match refuses the daemon.
    auto plain = docker::parse_endpoint(fmt::format("tcp://127.0.0.1:{}", s_tls_port), docker::DockerEnvironment{});
    auto plain_client = std::move(*docker::DockerClient::create(m_io.get_executor(), *plain));
    EXPECT_FALSE(run(plain_client->ping()));
    auto wrong = *endpoint;
    wrong.tls->ca_file = k_directory + "/tls/cert.pem"; // a certificate, but not the CA
    auto wrong_client = docker::DockerClient::create(m_io.get_executor(), wrong);
    ASSERT_TRUE(wrong_client);
    auto refused = run((*wrong_client)->ping());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::tls) << refused.error().message;
}

TEST_F(IsolatedEngineTest, LogFollowerResumesAfterTheEngineRestartsWithoutRepeatsOrGaps)
{
    auto compiled = classify::Classifier::create_embedded();
    ASSERT_TRUE(compiled) << compiled.error().message;
    auto classifier = std::move(*compiled);
    auto store = store::Store::open(":memory:");
    incident::IncidentTracker tracker(*store);
    watch::WatcherOptions options;
    options.mode = watch::WatchMode::opt_in;
    options.reconcile_interval = std::chrono::milliseconds(500);
    watch::ContainerWatcher watcher(*m_client, classifier, tracker, *store, options);
    bool watching = true;
    boost::asio::co_spawn(m_io, watcher.run(), [&](std::exception_ptr) { watching = false; });

    // Every line is a finding carrying its sequence number, so the history shows
    // exactly which lines were read.
    const auto name = unique_name("numbered");
    auto spec = isolated_tools({"sh", "-c",
                                "i=0; while [ $i -lt 80 ]; do echo \"Can't open or create append-only dir seq-$i: "
                                "Permission denied\"; i=$((i+1)); sleep 0.1; done; sleep 300"});
    spec.labels["medic.enable"] = "true";
    start(name, spec);
    auto sequence_numbers = [&] {
        std::vector<int> numbers;
        for (const auto& finding : store->findings({.page = {1, 500}})) {
            auto path = finding.context.find("path");
            if (finding.container_name == name && path != finding.context.end() && path->second.starts_with("seq-")) {
                numbers.push_back(std::stoi(path->second.substr(4)));
            }
        }
        return numbers;
    };
    ASSERT_TRUE(wait_until([&] { return sequence_numbers().size() >= 10; }, 20s));
    ASSERT_TRUE(restart_engine()); // every stream to the daemon is cut; the container keeps running
    ASSERT_TRUE(wait_until([&] { return sequence_numbers().size() >= 80; }, 60s))
        << "lines after the restart were not read: " << sequence_numbers().size();
    auto numbers = sequence_numbers();
    std::set<int> unique(numbers.begin(), numbers.end());
    EXPECT_EQ(unique.size(), numbers.size()) << "a line was read twice";
    EXPECT_EQ(*unique.begin(), 0);
    EXPECT_EQ(*unique.rbegin(), 79);
    EXPECT_EQ(unique.size(), 80U) << "a line was skipped";

    watcher.stop();
    EXPECT_TRUE(wait_until([&] { return !watching; }, 10s));
}

TEST_F(IsolatedEngineTest, RestartDockerDaemonRunsTheConfiguredCommandAndWaitsUntilTheDaemonAnswers)
{
    const auto pid_before = run_script(fmt::format("test -s {}/dockerd.pid", k_directory));
    ASSERT_EQ(pid_before, 0);
    std::string old_pid;
    {
        std::ifstream file(k_directory + "/dockerd.pid");
        std::getline(file, old_pid);
    }
    const auto name = unique_name("daemon-user");
    start(name, tools({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"}));
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details);

    heal::HealOptions options;
    // An argument vector from the config; here the sandbox script restarts the isolated engine.
    options.daemon_restart_command = {"/bin/sh", "-c",
                                      fmt::format("{} stop --dir {} && {} start --dir {} --isolated --tls-port {}",
                                                  script(), k_directory, script(), k_directory, s_tls_port)};
    auto store = store::Store::open(":memory:");
    incident::Incident incident;
    incident.id = 1;
    heal::VolumeHelper helper(*m_client, options.helper_image);
    heal::ActionContext context{*m_client, helper, *store, options, incident, *details};
    auto result = run(heal::find_action("restart_docker_daemon")->run(context));
    EXPECT_EQ(result.outcome, heal::ActionOutcome::done) << result.detail;
    std::string new_pid;
    {
        std::ifstream file(k_directory + "/dockerd.pid");
        std::getline(file, new_pid);
    }
    EXPECT_NE(new_pid, old_pid) << "a new daemon process";
    EXPECT_TRUE(run(m_client->ping())) << "the daemon answers";
    auto after = run(m_client->inspect_container(name));
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->running) << "live-restore kept the container running";
}

} // namespace
} // namespace medic::e2e
