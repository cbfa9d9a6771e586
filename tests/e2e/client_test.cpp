// The Engine API client against a real engine: lifecycle, exec, the daemon's own
// words for conflicts, and the calls healing will need.

#include <algorithm>

#include <fmt/format.h>

#include "engine_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;

using ClientTest = EngineTest;

TEST_F(ClientTest, NegotiatesAVersionTheEngineAccepts)
{
    auto version = run(m_client->negotiate());
    ASSERT_TRUE(version) << version.error().message;
    EXPECT_FALSE(version->server_version.empty());
    EXPECT_EQ(version->negotiated_api_version,
              docker::negotiate_api_version(docker::k_client_api_version, version->server_api_version));
    // Every call carries the negotiated version, and the engine answers it.
    auto listed = run(m_client->list_containers());
    EXPECT_TRUE(listed) << listed.error().message;
}

TEST_F(ClientTest, ContainerLifecycle)
{
    const auto name = unique_name("lifecycle");
    auto id = run(m_client->create_container(name, tools({"sleep", "300"})));
    ASSERT_TRUE(id) << id.error().message;
    auto created = run(m_client->inspect_container(name));
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, "created");

    ASSERT_TRUE(run(m_client->start_container(*id)));
    auto running = run(m_client->inspect_container(*id));
    ASSERT_TRUE(running);
    EXPECT_TRUE(running->running);
    EXPECT_GT(running->pid, 0);

    const auto renamed = unique_name("lifecycle-renamed");
    ASSERT_TRUE(run(m_client->rename_container(*id, renamed)));
    EXPECT_EQ(run(m_client->inspect_container(*id))->name, renamed);

    ASSERT_TRUE(run(m_client->restart_container(*id, 1)));
    auto restarted = run(m_client->inspect_container(*id));
    ASSERT_TRUE(restarted);
    EXPECT_TRUE(restarted->running);
    EXPECT_NE(restarted->started_at, running->started_at);

    // sleep as PID 1 ignores SIGTERM: stop falls back to SIGKILL after the timeout.
    ASSERT_TRUE(run(m_client->stop_container(*id, 1)));
    EXPECT_FALSE(run(m_client->inspect_container(*id))->running);

    ASSERT_TRUE(run(m_client->start_container(*id)));
    ASSERT_TRUE(run(m_client->kill_container(*id, "KILL")));
    auto exit_code = run(m_client->wait_container(*id));
    ASSERT_TRUE(exit_code) << exit_code.error().message;
    EXPECT_EQ(*exit_code, 137);

    ASSERT_TRUE(run(m_client->remove_container(*id)));
    auto gone = run(m_client->inspect_container(*id));
    ASSERT_FALSE(gone);
    EXPECT_TRUE(gone.error().is_status(404));
    EXPECT_NE(gone.error().message.find("No such container"), std::string::npos) << gone.error().message;
}

TEST_F(ClientTest, ListFiltersByLabel)
{
    const auto mine = unique_name("listed");
    start(mine, tools({"sleep", "300"}));
    auto other_spec = tools({"sleep", "300"});
    other_spec.labels["medic.e2e.run"] = "someone-else";
    const auto other = unique_name("not-listed");
    start(other, other_spec);
    docker::ListContainersOptions options;
    options.filters["label"] = {"medic.e2e.run=" + m_run_label};
    auto listed = run(m_client->list_containers(options));
    ASSERT_TRUE(listed) << listed.error().message;
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ(listed->front().name(), mine);
    EXPECT_EQ(listed->front().state, "running");
    EXPECT_EQ(listed->front().labels.at("medic.e2e"), "true");
}

TEST_F(ClientTest, ExecCapturesOutputAndExitCode)
{
    const auto name = unique_name("exec");
    start(name, tools({"sleep", "300"}));
    docker::ExecSpec spec;
    spec.command = {"sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"};
    auto output = run(m_client->exec(name, spec));
    ASSERT_TRUE(output) << output.error().message;
    EXPECT_EQ(output->stdout_text, "to-stdout\n");
    EXPECT_EQ(output->stderr_text, "to-stderr\n");
    EXPECT_EQ(output->exit_code, 3);

    spec.command = {"id", "-u"};
    spec.user = "999";
    auto as_user = run(m_client->exec(name, spec));
    ASSERT_TRUE(as_user);
    EXPECT_EQ(as_user->stdout_text, "999\n");
    EXPECT_EQ(as_user->exit_code, 0);

    spec.command = {"/no/such/binary"};
    auto missing = run(m_client->exec(name, spec));
    ASSERT_TRUE(missing) << missing.error().message;
    EXPECT_NE(missing->exit_code, 0);
}

TEST_F(ClientTest, NameConflictComesBackVerbatimWith409)
{
    const auto name = unique_name("conflict");
    auto first = run(m_client->create_container(name, tools({"true"})));
    ASSERT_TRUE(first);
    auto second = run(m_client->create_container(name, tools({"true"})));
    ASSERT_FALSE(second);
    EXPECT_TRUE(second.error().is_status(409));
    EXPECT_NE(second.error().message.find(fmt::format("Conflict. The container name \"/{}\" is already in use by "
                                                      "container \"{}\"",
                                                      name, *first)),
              std::string::npos)
        << second.error().message;
}

TEST_F(ClientTest, PortAlreadyAllocatedComesBackVerbatim)
{
    const auto port = free_loopback_port();
    auto spec = tools({"sleep", "300"});
    spec.ports.push_back(docker::PortBinding{80, "tcp", "127.0.0.1", port});
    start(unique_name("port-holder"), spec);

    const auto name = unique_name("port-taker");
    auto id = run(m_client->create_container(name, spec));
    ASSERT_TRUE(id) << id.error().message;
    auto started = run(m_client->start_container(*id));
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().http_status, 500U);
    const auto expected = fmt::format("Bind for 127.0.0.1:{} failed: port is already allocated", port);
    EXPECT_NE(started.error().message.find(expected), std::string::npos) << started.error().message;
    // The daemon also records it on the container, which is how medic finds it later.
    auto details = run(m_client->inspect_container(*id));
    ASSERT_TRUE(details);
    EXPECT_NE(details->error.find(expected), std::string::npos) << details->error;
}

TEST_F(ClientTest, VolumesNetworksImagesAndDiskUsage)
{
    const auto volume = unique_name("volume");
    auto created = run(m_client->create_volume(volume, {{"medic.e2e", "true"}}));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(created->labels.at("medic.e2e"), "true");
    auto volumes = run(m_client->list_volumes());
    ASSERT_TRUE(volumes);
    EXPECT_TRUE(std::any_of(volumes->begin(), volumes->end(), [&](const auto& item) { return item.name == volume; }));
    EXPECT_EQ(run(m_client->inspect_volume(volume))->name, volume);
    ASSERT_TRUE(run(m_client->remove_volume(volume)));
    EXPECT_TRUE(run(m_client->inspect_volume(volume)).error().is_status(404));

    auto networks = run(m_client->list_networks());
    ASSERT_TRUE(networks);
    EXPECT_TRUE(std::any_of(networks->begin(), networks->end(), [](const auto& item) { return item.name == "none"; }));
    EXPECT_EQ(run(m_client->inspect_network("none"))->name, "none");

    auto images = run(m_client->list_images());
    ASSERT_TRUE(images);
    EXPECT_TRUE(std::any_of(images->begin(), images->end(), [](const auto& image) {
        return std::find(image.tags.begin(), image.tags.end(), "medic-test/tools:latest") != image.tags.end();
    }));
    auto redis = run(m_client->inspect_image("medic-test/redis"));
    ASSERT_TRUE(redis) << redis.error().message;
    EXPECT_EQ(redis->user, "999:999");
    EXPECT_TRUE(run(m_client->inspect_image("medic-test/no-such-image")).error().is_status(404));

    auto usage = run(m_client->disk_usage());
    ASSERT_TRUE(usage) << usage.error().message;
    EXPECT_GE(usage->images, 4);
    EXPECT_GT(usage->images_size, 0);
}

TEST_F(ClientTest, PruneRemovesOnlyWhatTheFilterNames)
{
    auto spec = tools({"true"});
    spec.labels["medic.e2e.prune"] = m_run_label;
    const auto doomed = unique_name("prune-me");
    auto doomed_id = run(m_client->create_container(doomed, spec));
    ASSERT_TRUE(doomed_id);
    const auto kept = unique_name("keep-me");
    auto kept_id = run(m_client->create_container(kept, tools({"true"})));
    ASSERT_TRUE(kept_id);

    auto report = run(m_client->prune(docker::PruneTarget::containers, {{"label", "medic.e2e.prune=" + m_run_label}}));
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->deleted, std::vector<std::string>{*doomed_id});
    EXPECT_TRUE(run(m_client->inspect_container(kept)));
    EXPECT_TRUE(run(m_client->inspect_container(doomed)).error().is_status(404));

    // The other prunes with a label nobody carries: they must answer, and touch nothing.
    const docker::Labels nothing{{"label", "medic.e2e.prune=nothing-" + m_run_label}};
    for (auto target : {docker::PruneTarget::images, docker::PruneTarget::networks, docker::PruneTarget::build_cache}) {
        auto pruned = run(m_client->prune(target, nothing));
        ASSERT_TRUE(pruned) << pruned.error().message;
        EXPECT_TRUE(pruned->deleted.empty());
    }
    EXPECT_TRUE(run(m_client->inspect_image("medic-test/tools")));
}

} // namespace
} // namespace medic::e2e
