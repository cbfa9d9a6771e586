// A second, isolated engine (no bridge, no iptables) beside the sandbox one, so
// that it can be restarted mid-stream and serve TCP+TLS without disturbing the
// other tests.

#include <fmt/format.h>

#include "engine_fixture.hpp"

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

} // namespace
} // namespace medic::e2e
