// medic's own image (scripts/build-medic-image, `make image`) as people run it: a
// container with the Docker socket mounted, its state in a volume, on the host's
// loopback. It must report healthy through its HEALTHCHECK, heal a broken Redis
// beside it (the data still there), and never act on its own container.

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "healing_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view k_medic_image = "medic/medic:latest";
constexpr std::string_view k_token = "image-test-operator-token-0123456789";

/// GET on 127.0.0.1:port with the token; the body, or "" when nothing answered 200.
std::string api_get(std::uint16_t port, const std::string& target)
{
    ChildProcess curl({"/usr/bin/curl", "-sf", "--max-time", "5", "-H",
                       fmt::format("Authorization: Bearer {}", k_token),
                       fmt::format("http://127.0.0.1:{}{}", port, target)});
    return curl.wait(10s) == 0 ? curl.output() : std::string();
}

TEST_F(HealingTest, MedicsOwnImageRunsHealthyHealsARedisBesideItAndLeavesItselfAlone)
{
    const auto host = docker_host();
    if (!host.starts_with("unix://")) {
        GTEST_SKIP() << "the medic container mounts the engine's unix socket";
    }
    auto image = run(m_client->inspect_image(k_medic_image));
    ASSERT_TRUE(image) << "build it first: make image";

    // A Redis whose data folder someone chowned to root.
    const auto folder = root_owned_folder("image-redis");
    ::chown(folder.c_str(), 999, 999);
    const auto redis = unique_name("image-redis");
    auto spec = watched("medic-test/redis");
    spec.binds = {folder + ":/data"};
    start(redis, spec);
    ASSERT_TRUE(wait_for_redis(redis, 20s));
    ASSERT_EQ(exec(redis, {"redis-cli", "set", "kept", "yes"}), "OK\n");
    ASSERT_TRUE(run(m_client->stop_container(redis, 10)));
    ASSERT_EQ(run_tool(redis, {"chown", "-R", "0:0", "/data"}), 0);
    ASSERT_EQ(run_tool(redis, {"chmod", "-R", "go-w", "/data"}), 0);

    // medic, as the README says to run it.
    const auto port = free_loopback_port();
    const auto medic = unique_name("medic");
    const auto volume = unique_volume("medic-data");
    docker::ContainerSpec medic_spec;
    medic_spec.image = std::string(k_medic_image);
    medic_spec.network_mode = "host";
    medic_spec.binds = {host.substr(std::string_view("unix://").size()) + ":/var/run/docker.sock",
                        volume + ":/var/lib/medic"};
    medic_spec.environment = {fmt::format("MEDIC_LISTEN=127.0.0.1:{}", port),
                              fmt::format("MEDIC_API_TOKEN={}", k_token),
                              fmt::format("MEDIC_WATCH_LABEL=medic.e2e.run={}", m_run_label)};
    medic_spec.labels = {{"medic.e2e", "true"}, {"medic.e2e.run", m_run_label}};
    start(medic, medic_spec);
    ASSERT_TRUE(wait_until([&] { return !api_get(port, "/api/session").empty(); }, 30s)) << "medic answers";
    ASSERT_TRUE(run(m_client->start_container(redis)));

    std::string incidents;
    const bool healed = wait_until(
        [&] {
            incidents = api_get(port, "/api/incidents?container=" + redis);
            const auto body = nlohmann::json::parse(incidents, nullptr, false);
            return body.is_object() && body.value("total", 0) >= 1 && body["incidents"][0]["state"] == "resolved";
        },
        60s);
    if (!healed) {
        for (const auto& line : run(m_client->last_lines(medic, 40))) {
            std::cerr << "medic: " << line << "\n";
        }
    }
    ASSERT_TRUE(healed) << "the incident: " << incidents;
    EXPECT_TRUE(wait_for_redis(redis, 10s));
    EXPECT_EQ(exec(redis, {"redis-cli", "get", "kept"}), "yes\n") << "the data is still there";

    EXPECT_TRUE(wait_until_healthy(medic, 40s)) << "the image's HEALTHCHECK on /healthz";
    const auto own = nlohmann::json::parse(api_get(port, "/api/docker/recovery?container=" + medic), nullptr, false);
    ASSERT_TRUE(own.is_object());
    EXPECT_EQ(own["total"], 0) << "medic never acts on its own container";
    bool said_so = false;
    for (const auto& line : run(m_client->last_lines(medic, 200))) {
        said_so = said_so || line.find("medic leaves itself alone") != std::string::npos;
    }
    EXPECT_TRUE(said_so) << "it recognised its own container";
}

} // namespace
} // namespace medic::e2e
