// Each recovery action on real containers, where no scenario of healing_test.cpp
// runs it: called directly, as a playbook step calls it, and judged by its effect.

#include <sys/stat.h>

#include <fmt/format.h>

#include "healing_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;
using heal::ActionOutcome;

TEST_F(HealingTest, FixVolumePermissionsChownsToTheUserTheContainerRunsAsNeverWorldWritable)
{
    const auto folder = root_owned_folder("generic-owner");
    const auto name = unique_name("generic-owner");
    auto spec = tools({"sh", "-c", "exec sleep 300"});
    spec.user = "1234:2345";
    spec.binds = {folder + ":/srv/state"};
    start(name, spec);

    const classify::Context context{{"path", "/srv/state/cache"}};
    auto result = run_action("fix_volume_permissions", name, context);
    EXPECT_EQ(result.outcome, ActionOutcome::done) << result.detail;
    struct stat info {};
    ASSERT_EQ(::stat(folder.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 1234U);
    EXPECT_EQ(info.st_gid, 2345U);
    EXPECT_EQ(info.st_mode & 0002, 0U) << "not world-writable";
}

TEST_F(HealingTest, StopPortHolderStopsTheContainerPublishingThePort)
{
    const auto port = free_loopback_port();
    const auto holder = unique_name("holder");
    auto holder_spec = tools({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"});
    holder_spec.ports = {docker::PortBinding{7000, "tcp", "127.0.0.1", port}};
    start(holder, holder_spec);
    const auto victim = unique_name("victim");
    start(victim, tools({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"}));

    const classify::Context context{{"port", std::to_string(port)}};
    auto result = run_action("stop_port_holder", victim, context);
    EXPECT_EQ(result.outcome, ActionOutcome::done) << result.detail;
    EXPECT_NE(result.detail.find(holder), std::string::npos) << result.detail;
    auto details = run(m_client->inspect_container(holder));
    ASSERT_TRUE(details);
    EXPECT_FALSE(details->running);
}

TEST_F(HealingTest, CleanupDiskSpacePrunesUnusedNetworksButKeepsLabelledOnesAndEveryVolume)
{
    const auto unused = fmt::format("medic-e2e-unused-{}", ::getpid());
    const auto kept = fmt::format("medic-e2e-kept-{}", ::getpid());
    ASSERT_EQ(run_script(fmt::format("docker -H {} network create {} >/dev/null", docker_host(), unused)), 0);
    ASSERT_EQ(run_script(fmt::format("docker -H {} network create --label medic.keep=true {} >/dev/null", docker_host(),
                                     kept)),
              0);
    const auto volume = unique_volume("precious");
    const auto name = unique_name("disk-full");
    start(name, tools({"true"}));

    auto result = run_action("cleanup_disk_space", name);
    EXPECT_EQ(result.outcome, ActionOutcome::done) << result.detail;
    EXPECT_FALSE(run(m_client->inspect_network(unused))) << "the unused network was pruned";
    EXPECT_TRUE(run(m_client->inspect_network(kept))) << "medic.keep=true is kept";
    EXPECT_TRUE(run(m_client->inspect_volume(volume))) << "volumes are never pruned";
    EXPECT_TRUE(run(m_client->inspect_container(name))) << "a container stopped just now is kept";
    run_script(fmt::format("docker -H {} network rm {} >/dev/null 2>&1", docker_host(), kept));
}

TEST_F(HealingTest, FreeMemoryStopsOnlyLowPriorityContainers)
{
    const auto low = unique_name("low");
    auto low_spec = tools({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"});
    low_spec.labels["medic.priority"] = "low";
    start(low, low_spec);
    const auto normal = unique_name("normal");
    start(normal, tools({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"}));
    const auto starved = unique_name("starved");
    start(starved, tools({"true"}));

    auto result = run_action("free_memory", starved);
    EXPECT_EQ(result.outcome, ActionOutcome::done) << result.detail;
    EXPECT_FALSE(run(m_client->inspect_container(low))->running);
    EXPECT_TRUE(run(m_client->inspect_container(normal))->running);
}

TEST_F(HealingTest, ResetRedisDataQuarantinesEverythingAndMedicRestorePutsItBack)
{
    // A history on disk, as medic run keeps it, for the medic restore command to read.
    const auto data_dir = root_owned_folder("restore-data");
    m_store = store::Store::open(data_dir + "/medic.db");
    m_tracker = std::make_unique<incident::IncidentTracker>(*m_store);
    const auto name = unique_name("redis-reset");
    auto spec = watched("medic-test/redis");
    spec.binds = {unique_volume("redis-reset") + ":/data"};
    start(name, spec);
    ASSERT_TRUE(wait_for_redis(name, 20s));
    ASSERT_EQ(exec(name, {"redis-cli", "set", "keep", "me"}), "OK\n");
    ASSERT_TRUE(run(m_client->stop_container(name, 10)));

    auto result = run_action("reset_redis_data", name);
    ASSERT_EQ(result.outcome, ActionOutcome::done) << result.detail;
    EXPECT_NE(run_tool(name, {"test", "-e", "/data/appendonlydir"}), 0) << "moved away";
    auto quarantined = m_store->quarantines();
    ASSERT_EQ(quarantined.size(), 1U);
    EXPECT_NE(quarantined.front().items.find("appendonly"), std::string::npos) << quarantined.front().items;
    // The manifest carries a sha256 per file.
    EXPECT_EQ(run_tool(name, {"sh", "-c",
                              fmt::format("grep -qE '[0-9a-f]{{64}}$' /data/.medic-quarantine/{}/MANIFEST.tsv",
                                          quarantined.front().directory)}),
              0);

    ChildProcess list({MEDIC_BINARY, "--docker-host", docker_host(), "restore", "--data-dir", data_dir});
    ASSERT_EQ(list.wait(30s), 0) << list.output();
    EXPECT_NE(list.output().find(name), std::string::npos) << list.output();
    ChildProcess restore({MEDIC_BINARY, "--docker-host", docker_host(), "restore", "--data-dir", data_dir,
                          std::to_string(quarantined.front().id)});
    ASSERT_EQ(restore.wait(60s), 0) << restore.output();
    EXPECT_NE(restore.output().find("restored: /data/appendonlydir"), std::string::npos) << restore.output();
    ASSERT_TRUE(run(m_client->start_container(name)));
    ASSERT_TRUE(wait_for_redis(name, 20s));
    EXPECT_EQ(exec(name, {"redis-cli", "get", "keep"}), "me\n") << "the data is back";
    EXPECT_GT(m_store->quarantine_by_id(quarantined.front().id)->restored_at, 0);
}

TEST_F(HealingTest, ReconnectNetworkConnectsAContainerAgainToTheNetworkItWasCreatedOn)
{
    const auto network = fmt::format("medic-e2e-net-{}", ::getpid());
    ASSERT_EQ(run_script(fmt::format("docker -H {} network create {} >/dev/null", docker_host(), network)), 0);
    const auto peer = unique_name("peer");
    auto peer_spec = tools({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"});
    peer_spec.network_mode = network;
    start(peer, peer_spec);
    start_medic();
    const auto name = unique_name("client");
    auto spec = watched(std::string(k_tools_image),
                        {"sh", "-c",
                         fmt::format("trap 'exit 0' TERM; while true; do nslookup {} >/dev/null 2>&1 || echo "
                                     "'getaddrinfo ENOTFOUND {}'; sleep 1; done",
                                     peer, peer)});
    spec.network_mode = network;
    start(name, spec);
    // A working service that merely logs a refused connection is left alone.
    const auto chatty = unique_name("chatty");
    auto chatty_spec = watched(std::string(k_tools_image),
                               {"sh", "-c",
                                "trap 'exit 0' TERM; while true; do echo 'connect ECONNREFUSED 10.0.0.9:5432'; "
                                "sleep 0.2; done"});
    chatty_spec.network_mode = network;
    start(chatty, chatty_spec);
    ASSERT_EQ(run_script(fmt::format("docker -H {} network disconnect {} {}", docker_host(), network, name)), 0);

    auto healed = wait_for_incident(name, classify::ErrorType::network_error, incident::IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed";
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details);
    EXPECT_NE(std::find(details->networks.begin(), details->networks.end(), network), details->networks.end())
        << "attached to " << network << " again";
    EXPECT_EQ(actions_of(healed->id).back().action, "reconnect_network");
    EXPECT_FALSE(incidents_of(chatty).empty()) << "its lines were seen";
    EXPECT_TRUE(actions_on(chatty).empty()) << "and no action disturbed it";
    TearDown();
    run_script(fmt::format("docker -H {} network rm {} >/dev/null 2>&1", docker_host(), network));
}

TEST_F(HealingTest, APersonAsksMedicHealToRecreateAServiceAndItsAnonymousVolumeKeepsTheData)
{
    const auto data_dir = root_owned_folder("heal-cli");
    const auto name = unique_name("recreate-me");
    auto spec = watched("medic-test/redis"); // /data is an anonymous volume (the image's VOLUME)
    start(name, spec);
    ASSERT_TRUE(wait_for_redis(name, 20s));
    ASSERT_EQ(exec(name, {"redis-cli", "set", "survives", "recreate"}), "OK\n");
    const auto old_id = run(m_client->inspect_container(name))->id;

    ChildProcess heal({MEDIC_BINARY, "--docker-host", docker_host(), "heal", name, "--action", "recreate_container",
                       "--data-dir", data_dir});
    ASSERT_EQ(heal.wait(90s), 0) << heal.output();
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details);
    EXPECT_NE(details->id, old_id) << "a fresh container";
    EXPECT_TRUE(details->running);
    ASSERT_TRUE(wait_for_redis(name, 10s));
    EXPECT_EQ(exec(name, {"redis-cli", "get", "survives"}), "recreate\n") << "the anonymous volume came along";
    auto journal = store::Store::open(data_dir + "/medic.db")->actions(0, store::Page{1, 10});
    ASSERT_EQ(journal.size(), 1U);
    EXPECT_EQ(journal.front().state, store::ActionState::succeeded);
    EXPECT_NE(journal.front().before.find(old_id), std::string::npos) << "the old configuration is journaled";
}

} // namespace
} // namespace medic::e2e
