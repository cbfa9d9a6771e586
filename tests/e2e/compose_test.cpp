// deploy/compose.yaml as a person starts it, with Debian's docker-compose against the
// test engine: medic comes up beside the stack, and when the stack's Redis loses its
// data folder to root, medic heals it and the data is still there.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "healing_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view k_token = "compose-test-operator-token-0123456789";

class ComposeTest : public HealingTest {
protected:
    void SetUp() override
    {
        HealingTest::SetUp();
        m_project = fmt::format("medic-e2e-compose-{}", ::getpid());
        m_medic_port = free_loopback_port();
        const auto app_port = free_loopback_port();
        const auto db_port = free_loopback_port();
        m_redis_port = free_loopback_port();
        const auto host = docker_host();
        // Fixed test scaffolding; no container data goes into this command line.
        m_compose = fmt::format("DOCKER_HOST={} DOCKER_SOCKET={} MEDIC_PORT={} APP_PORT={} DB_PORT={} REDIS_PORT={} "
                                "MEDIC_API_TOKEN={} docker-compose -f {}/deploy/compose.yaml -p {}",
                                host, host.substr(std::string_view("unix://").size()), m_medic_port, app_port, db_port,
                                m_redis_port, k_token, MEDIC_SOURCE_DIR, m_project);
    }

    void TearDown() override
    {
        if (m_up) {
            EXPECT_EQ(run_script(m_compose + " down -v --timeout 5 >/dev/null 2>&1"), 0) << "compose down";
        }
        HealingTest::TearDown();
    }

    /// GET through medic's API; the JSON, or a discarded value when it did not answer 200.
    nlohmann::json api(const std::string& target)
    {
        ChildProcess curl({"/usr/bin/curl", "-sf", "--max-time", "5", "-H",
                           fmt::format("Authorization: Bearer {}", k_token),
                           fmt::format("http://127.0.0.1:{}{}", m_medic_port, target)});
        if (curl.wait(10s) != 0) {
            return nlohmann::json::value_t::discarded;
        }
        return nlohmann::json::parse(curl.output(), nullptr, false);
    }

    std::string m_project;
    std::string m_compose;
    std::uint16_t m_medic_port = 0;
    std::uint16_t m_redis_port = 0;
    bool m_up = false;
};

TEST_F(ComposeTest, TheComposeStackStartsWithMedicWhichHealsItsRedisAndKeepsTheData)
{
    if (!docker_host().starts_with("unix://")) {
        GTEST_SKIP() << "medic's container mounts the engine's unix socket";
    }
    ASSERT_EQ(run_script("command -v docker-compose >/dev/null"), 0) << "docker-compose is missing (install-deps)";
    ASSERT_EQ(run_script(m_compose + " up -d >/dev/null 2>&1"), 0) << "compose up";
    m_up = true;
    const auto redis = m_project + "_redis_1";
    const auto app = m_project + "_app_1";
    const auto medic = m_project + "_medic_1";

    ASSERT_TRUE(wait_until(
        [&] {
            const auto health = api("/api/docker/health");
            return !health.is_discarded() && health["daemon"]["reachable"] == true;
        },
        30s))
        << "medic answers on loopback";
    ASSERT_TRUE(wait_for_redis(redis, 30s));
    ASSERT_EQ(exec(redis, {"redis-cli", "set", "kept", "yes"}), "OK\n");
    ASSERT_TRUE(wait_until(
        [&] {
            return exec(app, {"wget", "-q", "-O", "-", "http://127.0.0.1:8000/health"}) == "ok";
        },
        30s))
        << "the app answers with its database and cache";

    // Someone "fixes" the Redis volume as root.
    ASSERT_EQ(run_script(m_compose + " stop redis >/dev/null 2>&1"), 0);
    ASSERT_EQ(run_tool(redis, {"sh", "-c", "chown -R 0:0 /data && chmod -R go-w /data"}), 0);
    ASSERT_EQ(run_script(m_compose + " start redis >/dev/null 2>&1"), 0);

    std::optional<nlohmann::json> healed;
    ASSERT_TRUE(wait_until(
        [&] {
            const auto incidents = api("/api/incidents?container=" + redis);
            if (incidents.is_discarded()) {
                return false;
            }
            for (const auto& incident : incidents["incidents"]) {
                if (incident["type"] == "PERMISSION_DENIED" && incident["state"] == "resolved") {
                    healed = incident;
                    return true;
                }
            }
            return false;
        },
        60s))
        << "medic heals the Redis in the stack";
    EXPECT_TRUE(wait_for_redis(redis, 10s));
    EXPECT_EQ(exec(redis, {"redis-cli", "get", "kept"}), "yes\n") << "the data is still there";
    const auto timeline = api(fmt::format("/api/incidents/{}", (*healed)["id"].get<std::int64_t>()));
    ASSERT_FALSE(timeline["actions"].empty());
    EXPECT_EQ(timeline["actions"].back()["action"], "fix_redis_permissions");
    EXPECT_EQ(api("/api/docker/recovery?container=" + medic)["total"], 0) << "medic leaves itself alone";
}

} // namespace
} // namespace medic::e2e
