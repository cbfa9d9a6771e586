#include "docker/json_codec.hpp"

#include <gtest/gtest.h>

#include "docker/event_stream.hpp"

namespace medic::docker {
namespace {

constexpr std::string_view k_inspect = R"({
  "Id": "abc123", "Name": "/redis-1", "Image": "sha256:feed", "RestartCount": 4,
  "State": {"Status": "exited", "Running": false, "OOMKilled": true, "ExitCode": 137, "Pid": 0,
            "Error": "driver failed programming external connectivity on endpoint redis-1 (x): Bind for 127.0.0.1:6379 failed: port is already allocated",
            "StartedAt": "2024-05-01T10:00:00.5Z", "FinishedAt": "2024-05-01T10:01:00Z",
            "Health": {"Status": "unhealthy", "FailingStreak": 3, "Log": [{"Output": "first"}, {"Output": "PONG? no"}]}},
  "Config": {"Image": "medic-test/redis", "Tty": false, "User": "999", "Labels": {"medic.profile": "redis"},
             "Entrypoint": null, "Cmd": ["redis-server", "--appendonly", "yes"]},
  "HostConfig": {"RestartPolicy": {"Name": "on-failure"}},
  "Mounts": [{"Type": "bind", "Source": "/srv/redis", "Destination": "/data", "RW": true}],
  "NetworkSettings": {"Ports": {"6379/tcp": [{"HostIp": "127.0.0.1", "HostPort": "16379"}], "80/tcp": null}}
})";

TEST(JsonCodec, ContainerDetailsCarryWhatHealingNeeds)
{
    auto details = parse_container_details(k_inspect);
    ASSERT_TRUE(details) << details.error().message;
    EXPECT_EQ(details->name, "redis-1");
    EXPECT_EQ(details->image, "medic-test/redis");
    EXPECT_TRUE(details->oom_killed);
    EXPECT_EQ(details->exit_code, 137);
    EXPECT_EQ(details->restart_count, 4);
    EXPECT_NE(details->error.find("port is already allocated"), std::string::npos);
    ASSERT_TRUE(details->health);
    EXPECT_EQ(details->health->status, "unhealthy");
    EXPECT_EQ(details->health->last_output(), "PONG? no");
    EXPECT_EQ(details->user, "999");
    EXPECT_EQ(details->labels.at("medic.profile"), "redis");
    EXPECT_EQ(details->command, (std::vector<std::string>{"redis-server", "--appendonly", "yes"}));
    ASSERT_EQ(details->mounts.size(), 1U);
    EXPECT_EQ(details->mounts[0].source, "/srv/redis");
    EXPECT_EQ(details->restart_policy, "on-failure");
    ASSERT_EQ(details->ports.size(), 2U);
    EXPECT_EQ(details->raw_json, k_inspect);
}

TEST(JsonCodec, WrongTypesAndMissingFieldsDoNotThrow)
{
    auto details = parse_container_details(R"({"Id": 5, "State": "weird", "Config": [], "Mounts": {}})");
    ASSERT_TRUE(details);
    EXPECT_EQ(details->id, "");
    EXPECT_FALSE(details->health);
    EXPECT_FALSE(parse_container_details("[1,2]"));
    auto broken = parse_container_list("[{\"Id\":");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().kind, ErrorKind::protocol);
}

TEST(JsonCodec, DieEventHasExitCode)
{
    auto event = parse_event(R"({"status":"die","id":"abc","Type":"container","Action":"die",
        "Actor":{"ID":"abc","Attributes":{"exitCode":"137","image":"busybox","name":"worker"}},
        "scope":"local","time":1700000000,"timeNano":1700000000123456789})");
    ASSERT_TRUE(event);
    EXPECT_EQ(event->actor_name(), "worker");
    EXPECT_EQ(event->exit_code(), 137);
    EXPECT_EQ(event->time_nano, 1700000000123456789);
    EXPECT_FALSE(parse_event(R"({"Type":"container"})"));
}

TEST(JsonCodec, ContainerSpecUsesArgumentVectors)
{
    ContainerSpec spec;
    spec.image = "medic-test/tools";
    spec.command = {"sh", "-c", "echo \"quoted\"; exit 3"};
    spec.ports.push_back(PortBinding{6379, "tcp", "127.0.0.1", 16379});
    spec.memory_bytes = 8 << 20;
    auto body = encode_container_spec(spec);
    EXPECT_NE(body.find(R"("Cmd":["sh","-c","echo \"quoted\"; exit 3"])"), std::string::npos) << body;
    EXPECT_NE(body.find(R"("HostPort":"16379")"), std::string::npos) << body;
    EXPECT_NE(body.find(R"("Memory":8388608)"), std::string::npos) << body;
}

TEST(EventDecoder, MalformedEventIsAnErrorAndTheNextOneStillDecodes)
{
    EventDecoder decoder;
    decoder.feed("{not json}\n");
    decoder.feed(R"({"Type":"container","Action":"start","Actor":{"ID":"x"},"timeNano":5})");
    decoder.feed("\n" + std::string(EventDecoder::k_max_event_size + 10, 'x') + "\n");
    decoder.finish();
    auto first = decoder.pop();
    ASSERT_TRUE(first);
    ASSERT_FALSE(*first);
    EXPECT_EQ(first->error().kind, ErrorKind::protocol);
    auto second = decoder.pop();
    ASSERT_TRUE(second && *second);
    EXPECT_EQ((*second)->action, "start");
    auto third = decoder.pop();
    ASSERT_TRUE(third && !*third);
    EXPECT_EQ(third->error().kind, ErrorKind::too_large);
}

TEST(DaemonMessage, KeepsTheDaemonWordsVerbatim)
{
    auto error = daemon_error(409, R"({"message":"Conflict. The container name \"/web\" is already in use"})");
    EXPECT_TRUE(error.is_status(409));
    EXPECT_EQ(error.message, R"(Conflict. The container name "/web" is already in use)");
    EXPECT_EQ(daemon_message("page not found\n"), "page not found");
}

} // namespace
} // namespace medic::docker
