// The healing scenarios of issue 4, end to end: a real service breaks the way it
// breaks in production, medic heals it, and the test checks what a user checks: the
// service answers and the data written before is still there.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "healing_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;
using classify::ErrorType;
using incident::IncidentState;

constexpr std::string_view k_redis = "medic-test/redis";
constexpr std::string_view k_postgres = "medic-test/postgres";
constexpr std::string_view k_web = "medic-test/web";

class RedisHealingTest : public HealingTest {
protected:
    void write_keys(const std::string& container, int count)
    {
        for (int key = 1; key <= count; ++key) {
            ASSERT_EQ(exec(container, {"redis-cli", "set", fmt::format("key{}", key), fmt::format("value{}", key)}),
                      "OK\n");
        }
    }

    int count_keys(const std::string& container)
    {
        const auto answer = exec(container, {"redis-cli", "dbsize"});
        return answer.empty() ? -1 : std::stoi(answer);
    }

    /// A Redis whose data lives in `mount` (a volume name or a host folder), with keys written
    /// and then cleanly stopped.
    std::string redis_with_keys(const std::string& base, const std::string& mount, int keys,
                                std::vector<std::string> command = {})
    {
        const auto name = unique_name(base);
        auto spec = watched(std::string(k_redis), std::move(command));
        spec.binds = {mount + ":/data"};
        start(name, spec);
        EXPECT_TRUE(wait_for_redis(name, 20s)) << name << " did not start";
        write_keys(name, keys);
        EXPECT_TRUE(run(m_client->stop_container(name, 10)));
        return name;
    }
};

TEST_F(RedisHealingTest, Scenario1RedisOnARootOwnedBindMountIsChownedAndKeepsItsKeys)
{
    const auto folder = root_owned_folder("redis-bind");
    ::chown(folder.c_str(), 999, 999);
    const auto name = redis_with_keys("redis-bind", folder, 20);
    // Someone "fixed" the folder as root: Redis can no longer write it.
    ASSERT_EQ(run_tool(name, {"chown", "-R", "0:0", "/data"}), 0);
    ASSERT_EQ(run_tool(name, {"chmod", "-R", "go-w", "/data"}), 0);
    start_medic();
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed; incidents: " << incidents_of(name).size();
    EXPECT_TRUE(wait_for_redis(name, 10s));
    EXPECT_EQ(count_keys(name), 20) << "every key written before is there";
    EXPECT_EQ(exec(name, {"redis-cli", "get", "key7"}), "value7\n");
    struct stat info {};
    ASSERT_EQ(::stat(folder.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 999U) << "owned by the user Redis runs as";
    EXPECT_EQ(info.st_mode & 0777, 0755U) << "never chmod 777";
    auto actions = actions_of(healed->id);
    ASSERT_FALSE(actions.empty());
    EXPECT_EQ(actions.back().action, "fix_redis_permissions");
    EXPECT_EQ(actions.back().state, store::ActionState::succeeded);
    EXPECT_NE(healed->note.find("healed by fix_redis_permissions"), std::string::npos) << healed->note;
}

TEST_F(RedisHealingTest, Scenario1RedisOnANamedVolumeOwnedByRootIsHealedToo)
{
    const auto volume = unique_volume("redis-volume");
    const auto name = redis_with_keys("redis-volume", volume, 15);
    ASSERT_EQ(run_tool(name, {"chown", "-R", "0:0", "/data"}), 0);
    ASSERT_EQ(run_tool(name, {"chmod", "-R", "go-w", "/data"}), 0);
    start_medic();
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_for_redis(name, 10s));
    EXPECT_EQ(count_keys(name), 15);
}

TEST_F(RedisHealingTest, Scenario4TruncatedAppendOnlyFileIsRepairedWithTheOriginalInQuarantine)
{
    const auto volume = unique_volume("redis-aof");
    // aof-load-truncated no: Redis refuses a file cut short instead of trimming it itself.
    const auto name =
        redis_with_keys("redis-aof", volume, 30,
                        {"redis-server", "--appendonly", "yes", "--dir", "/data", "--aof-load-truncated", "no"});
    // An unclean shutdown: half a SET at the end of the newest AOF file.
    ASSERT_EQ(
        run_tool(name, {"sh", "-c",
                        "printf '*3\\r\\n$3\\r\\nSET\\r\\n$5\\r\\nbroke' >> \"$(ls /data/appendonlydir/*.incr.aof | "
                        "tail -n 1)\""}),
        0);
    start_medic();
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::data_corruption, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_for_redis(name, 10s));
    EXPECT_EQ(count_keys(name), 30) << "the keys from before the damage are there";
    auto quarantined = m_store->quarantines();
    ASSERT_EQ(quarantined.size(), 1U);
    EXPECT_EQ(quarantined.front().container_name, name);
    EXPECT_NE(quarantined.front().items.find("appendonlydir"), std::string::npos) << quarantined.front().items;
    // The damaged original, byte for byte, in the volume's quarantine folder.
    const auto copy = fmt::format("/data/.medic-quarantine/{}/appendonlydir", quarantined.front().directory);
    EXPECT_EQ(run_tool(name, {"sh", "-c", "grep -q broke " + copy + "/*.incr.aof"}), 0);
    EXPECT_EQ(actions_of(healed->id).back().action, "repair_redis_aof");
}

TEST_F(RedisHealingTest, Scenario5CorruptedSnapshotIsQuarantinedAndRedisStarts)
{
    const auto volume = unique_volume("redis-rdb");
    const auto name = redis_with_keys("redis-rdb", volume, 10,
                                      {"redis-server", "--appendonly", "no", "--dir", "/data", "--save", "60", "1"});
    ASSERT_TRUE(run(m_client->start_container(name)));
    ASSERT_TRUE(wait_for_redis(name, 20s));
    ASSERT_EQ(exec(name, {"redis-cli", "save"}), "OK\n");
    ASSERT_TRUE(run(m_client->stop_container(name, 10)));
    ASSERT_EQ(run_tool(name, {"sh", "-c", "printf 'REDIS0010garbage-not-a-snapshot' > /data/dump.rdb"}), 0);
    start_medic();
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::data_corruption, IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_for_redis(name, 10s));
    auto quarantined = m_store->quarantines();
    ASSERT_EQ(quarantined.size(), 1U);
    EXPECT_NE(quarantined.front().items.find("/data/dump.rdb"), std::string::npos) << quarantined.front().items;
    const auto moved = fmt::format("/data/.medic-quarantine/{}/dump.rdb", quarantined.front().directory);
    EXPECT_EQ(run_tool(name, {"grep", "-q", "garbage-not-a-snapshot", moved}), 0) << "kept, not deleted";
}

class PostgresHealingTest : public HealingTest {
protected:
    /// A PostgreSQL on a fresh named volume with a table of `rows` rows, stopped cleanly.
    std::string postgres_with_rows(const std::string& base, int rows, std::vector<std::string> environment = {})
    {
        const auto name = unique_name(base);
        auto spec = watched(std::string(k_postgres));
        spec.binds = {unique_volume(base) + ":/var/lib/postgresql/data"};
        spec.environment = std::move(environment);
        start(name, spec);
        EXPECT_TRUE(wait_until_ready(name, 60s)) << name << " did not start";
        EXPECT_FALSE(
            exec(name, {"psql", "-U", "postgres", "-c",
                        fmt::format("CREATE TABLE notes AS SELECT g AS id FROM generate_series(1, {}) g", rows)})
                .empty());
        EXPECT_TRUE(run(m_client->stop_container(name, 20)));
        return name;
    }

    bool wait_until_ready(const std::string& name, std::chrono::milliseconds deadline)
    {
        return wait_until([&] { return exec(name, {"pg_isready"}).find("accepting") != std::string::npos; }, deadline);
    }

    std::string count_rows(const std::string& name)
    {
        return exec(name, {"psql", "-U", "postgres", "-tAc", "SELECT count(*) FROM notes"});
    }
};

TEST_F(PostgresHealingTest, Scenario2DataDirectoryWithTheWrongOwnerAndModeIsFixed)
{
    start_medic(); // watching from the first start: the stop and the start again follow each other closely
    const auto name = postgres_with_rows("pg-owner", 42);
    ASSERT_EQ(run_tool(name, {"chown", "-R", "0:0", "/var/lib/postgresql/data"}), 0);
    ASSERT_EQ(run_tool(name, {"chmod", "0755", "/var/lib/postgresql/data"}), 0);
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_until_ready(name, 20s));
    EXPECT_EQ(count_rows(name), "42\n") << "every row is still there";
    EXPECT_EQ(run_tool(name, {"sh", "-c", "[ \"$(stat -c %a:%u /var/lib/postgresql/data)\" = 700:999 ]"}), 0);
    EXPECT_EQ(actions_of(healed->id).back().action, "fix_postgres_permissions");
}

TEST_F(PostgresHealingTest, Scenario3StalePostmasterPidIsQuarantinedAndTheDatabaseStarts)
{
    const auto name = postgres_with_rows("pg-lock", 17, {"POSTGRES_WRAPPED=1"});
    // A lock file naming PID 1, as after a crash of an image whose postgres is not PID 1.
    ASSERT_EQ(run_tool(name, {"sh", "-c",
                              "f=/var/lib/postgresql/data/postmaster.pid; [ -f $f ] || printf '1\\n' > $f; "
                              "sed -i '1s/.*/1/' $f; chown 999:999 $f; chmod 600 $f"}),
              0);
    start_medic();
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::stale_lock, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_until_ready(name, 20s));
    EXPECT_EQ(count_rows(name), "17\n");
    auto quarantined = m_store->quarantines();
    ASSERT_EQ(quarantined.size(), 1U);
    EXPECT_NE(quarantined.front().items.find("postmaster.pid"), std::string::npos);
    EXPECT_EQ(actions_of(healed->id).back().action, "remove_postgres_lock");
}

TEST_F(HealingTest, Scenario6AStoppedContainerHoldingTheNameIsRemovedAndTheServiceStartsUnderIt)
{
    const auto host = docker_host();
    if (!host.starts_with("unix://")) {
        GTEST_SKIP() << "the deploy job mounts the engine's unix socket";
    }
    const auto service = unique_name("svc");
    auto stale = tools({"true"});
    stale.labels["medic.e2e.stale"] = "true";
    ASSERT_TRUE(run(m_client->create_container(service, stale))) << "the stale holder";
    start_medic();
    const auto deployer = unique_name("deployer");
    auto spec = watched("medic-test/deployer", {service, std::string(k_web)});
    spec.binds = {host.substr(std::string_view("unix://").size()) + ":/var/run/docker.sock"};
    spec.environment = {"DEPLOY_TRIES=60"};
    start(deployer, spec);

    auto healed = wait_for_incident(deployer, ErrorType::container_name_conflict, IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed";
    ASSERT_TRUE(wait_until(
        [&] {
            auto details = run(m_client->inspect_container(service));
            return details && details->running && details->image == k_web;
        },
        30s))
        << "the service runs under its name";
    auto actions = actions_of(healed->id);
    ASSERT_FALSE(actions.empty());
    EXPECT_EQ(actions.back().action, "remove_conflicting_container");
    EXPECT_NE(actions.back().before.find("medic.e2e.stale"), std::string::npos)
        << "the removed container's full configuration is in the journal";
}

TEST_F(HealingTest, Scenario7PortAllocatedByAnotherContainerMovesToTheNextFreePortOfTheProfile)
{
    const auto port = free_loopback_port();
    auto blocker = tools({"sh", "-c", "exec sleep 300"});
    blocker.ports = {docker::PortBinding{9000, "tcp", "127.0.0.1", port}};
    start(unique_name("port-holder"), blocker);
    start_medic();
    const auto name = unique_name("redis-port");
    auto spec = watched(std::string(k_redis));
    spec.ports = {docker::PortBinding{6379, "tcp", "127.0.0.1", port}};
    auto id = run(m_client->create_container(name, spec));
    ASSERT_TRUE(id);
    auto refused = run(m_client->start_container(*id));
    ASSERT_FALSE(refused) << "the port is taken";

    auto healed = wait_for_incident(name, ErrorType::port_conflict, IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed";
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details && details->running);
    ASSERT_EQ(details->ports.size(), 1U);
    const auto moved_to = details->ports.front().public_port;
    EXPECT_GE(moved_to, 6380);
    EXPECT_LE(moved_to, 6390);
    EXPECT_TRUE(wait_for_redis(name, 10s));
    EXPECT_NE(healed->note.find(fmt::format("127.0.0.1:{}", moved_to)), std::string::npos)
        << "the new port is reported: " << healed->note;
}

TEST_F(HealingTest, Scenario8AServiceThatStaysUnhealthyIsRestartedThenRecreatedThenEscalatedThenLeftAlone)
{
    auto options = test_options();
    options.verify_timeout = 6s;
    options.limits.backoff_initial = 2000;
    options.limits.breaker_failures = 2; // a second failed playbook opens the breaker
    start_medic(options);
    const auto name = unique_name("web-sick");
    auto spec = watched(std::string(k_web));
    spec.healthcheck = web_healthcheck(500'000'000, 1);
    spec.binds = {unique_volume("web-state") + ":/run/web"}; // the failure survives a fresh container
    start(name, spec);
    ASSERT_TRUE(wait_until_healthy(name, 20s));
    ASSERT_FALSE(exec(name, {"web-control", "--persist", "fail"}).empty());

    auto escalated = wait_for_incident(name, ErrorType::health_check_failed, IncidentState::escalated, 60s);
    ASSERT_TRUE(escalated) << "not escalated";
    auto actions = actions_of(escalated->id);
    ASSERT_EQ(actions.size(), 2U);
    EXPECT_EQ(actions[0].action, "restart_container");
    EXPECT_EQ(actions[1].action, "recreate_container");
    EXPECT_NE(escalated->note.find("What to do"), std::string::npos) << escalated->note;
    // Still failing: a second playbook after the backoff, then the breaker opens and medic only tells.
    ASSERT_TRUE(wait_until(
        [&] {
            for (const auto& incident : incidents_of(name)) {
                if (incident.note.find("circuit breaker open") != std::string::npos) {
                    return true;
                }
            }
            return false;
        },
        90s))
        << "the breaker did not open";
    const auto all = actions_on(name);
    ASSERT_EQ(all.size(), 4U) << "two playbooks of two actions: the restarts are bounded";
    EXPECT_GE(all[2].started_at - all[1].ended_at, 2000) << "the backoff spaced the playbooks";
    EXPECT_FALSE(wait_until([&] { return actions_on(name).size() > 4; }, 3s)) << "nothing after the breaker";
}

TEST_F(HealingTest, Scenario9AMissingBindMountSourceIsCreatedAndTheServiceStarts)
{
    const auto folder = root_owned_folder("mount-source") + "/data";
    std::filesystem::create_directories(folder);
    const auto name = unique_name("service-mount");
    // A service that runs until told to crash (docker exec C touch /tmp/crash).
    auto spec = watched(std::string(k_tools_image),
                        {"sh", "-c",
                         "rm -f /tmp/crash; trap 'exit 0' TERM; while [ ! -e /tmp/crash ]; do sleep 0.2; done; "
                         "echo crashed; exit 1"});
    spec.mounts = {docker::MountSpec{"bind", folder, "/srv/data", false}};
    spec.restart_policy = "on-failure";
    start(name, spec);
    start_medic();
    // The folder goes (a disk not mounted after a reboot, a cleanup script), then the
    // service crashes: the daemon's restart fails on the missing mount source.
    std::filesystem::remove(folder);
    exec(name, {"touch", "/tmp/crash"});

    auto healed = wait_for_incident(name, ErrorType::volume_mount_error, IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(std::filesystem::is_directory(folder));
    auto details = run(m_client->inspect_container(name));
    EXPECT_TRUE(details && details->running);
    EXPECT_EQ(actions_of(healed->id).back().action, "create_mount_source");
}

TEST_F(HealingTest, Scenario10ACrashLoopNothingFixesIsRecreatedOnceThenStoppedAndEscalated)
{
    auto options = test_options();
    options.verify_timeout = 5s;
    start_medic(options);
    const auto name = unique_name("crasher");
    auto spec = watched(std::string(k_tools_image), {"sh", "-c", "echo 'fatal: cannot start'; exit 1"});
    spec.restart_policy = "always";
    start(name, spec);

    auto escalated = wait_for_incident(name, ErrorType::crash_loop, IncidentState::escalated, 60s);
    ASSERT_TRUE(escalated) << "not escalated";
    EXPECT_NE(escalated->note.find("stopped"), std::string::npos) << escalated->note;
    EXPECT_NE(escalated->note.find("What to do"), std::string::npos) << escalated->note;
    const auto actions = actions_on(name);
    ASSERT_EQ(actions.size(), 3U);
    EXPECT_EQ(actions[0].action, "restart_container");
    EXPECT_EQ(actions[0].state, store::ActionState::skipped) << "its restart policy restarts it already";
    EXPECT_EQ(actions[1].action, "recreate_container");
    EXPECT_EQ(actions[1].state, store::ActionState::failed);
    EXPECT_EQ(actions[2].action, "stop_container");
    ASSERT_TRUE(wait_until(
        [&] {
            auto details = run(m_client->inspect_container(name));
            return details && !details->running && !details->restarting;
        },
        20s));
    const auto restarts = run(m_client->inspect_container(name))->restart_count;
    EXPECT_FALSE(wait_until([&] { return run(m_client->inspect_container(name))->restart_count != restarts; }, 3s))
        << "restarts are bounded: nothing restarts it any more";
}

TEST_F(HealingTest, Scenario11AWebApplicationWhoseHealthEndpointFailsIsRestartedAndHealthy)
{
    start_medic();
    const auto name = unique_name("web-flaky");
    auto spec = watched(std::string(k_web));
    spec.healthcheck = web_healthcheck(500'000'000, 1);
    start(name, spec);
    ASSERT_TRUE(wait_until_healthy(name, 20s));
    ASSERT_FALSE(exec(name, {"web-control", "fail"}).empty());

    auto healed = wait_for_incident(name, ErrorType::health_check_failed, IncidentState::resolved, 45s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_until_healthy(name, 10s));
    EXPECT_EQ(exec(name, {"wget", "-q", "-O-", "http://127.0.0.1:8000/health"}).empty(), false);
    auto actions = actions_of(healed->id);
    ASSERT_FALSE(actions.empty());
    EXPECT_EQ(actions.front().action, "restart_container");
    for (const auto& incident : incidents_of(name)) {
        EXPECT_NE(incident.type, ErrorType::crash_loop) << "medic's own restart is not a crash";
    }
}

TEST_F(HealingTest, Scenario12DependentsAreRestartedInOrderAfterTheirDependencyRecovers)
{
    const auto folder = root_owned_folder("redis-dependency");
    const auto redis = unique_name("cache");
    const auto app = unique_name("app");
    const auto worker = unique_name("worker");
    auto app_spec = watched(std::string(k_web));
    app_spec.labels["medic.depends-on"] = redis;
    auto worker_spec = watched(std::string(k_web));
    worker_spec.labels["medic.depends-on"] = app;
    start(app, app_spec);
    start(worker, worker_spec);
    const auto app_started = run(m_client->inspect_container(app))->started_at;
    const auto worker_started = run(m_client->inspect_container(worker))->started_at;
    start_medic();
    auto redis_spec = watched(std::string(k_redis));
    redis_spec.binds = {folder + ":/data"};
    start(redis, redis_spec);

    ASSERT_TRUE(wait_for_incident(redis, ErrorType::permission_denied, IncidentState::resolved, 45s));
    ASSERT_TRUE(wait_until(
        [&] {
            auto worker_now = run(m_client->inspect_container(worker));
            return worker_now && worker_now->running && worker_now->started_at != worker_started;
        },
        30s))
        << "the worker was not restarted";
    const auto app_now = run(m_client->inspect_container(app));
    const auto worker_now = run(m_client->inspect_container(worker));
    ASSERT_TRUE(app_now && worker_now);
    EXPECT_NE(app_now->started_at, app_started) << "the app was restarted";
    EXPECT_LT(app_now->started_at, worker_now->started_at) << "the app before the worker that depends on it";
}

TEST_F(RedisHealingTest, ARedisThatFailedBeforeMedicStartedIsHealedWhenMedicStarts)
{
    const auto folder = root_owned_folder("redis-before");
    const auto name = unique_name("redis-before");
    auto spec = watched(std::string(k_redis));
    spec.binds = {folder + ":/data"};
    start(name, spec);
    ASSERT_TRUE(wait_until([&] { return !run(m_client->inspect_container(name))->running; }, 20s));
    start_medic(); // its last lines are read when medic first sees it stopped

    ASSERT_TRUE(wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 45s)) << "not healed";
    EXPECT_TRUE(wait_for_redis(name, 10s));
}

TEST_F(RedisHealingTest, MedicLeavesItsOwnHelperContainersAlone)
{
    const auto folder = root_owned_folder("redis-helper");
    start_medic();
    const auto helper = unique_name("helper");
    auto helper_spec = watched(std::string(k_redis));
    helper_spec.binds = {folder + ":/data"};
    helper_spec.labels["medic.helper"] = "true";
    start(helper, helper_spec);
    // A watched twin of it, started after: once the twin's incident is in, the helper's would be too.
    const auto twin = unique_name("twin");
    auto twin_spec = watched(std::string(k_redis));
    twin_spec.binds = {root_owned_folder("redis-twin") + ":/data"};
    start(twin, twin_spec);

    ASSERT_TRUE(wait_for_incident(twin, ErrorType::permission_denied, IncidentState::resolved, 45s));
    EXPECT_TRUE(incidents_of(helper).empty()) << "a medic helper is never watched";
    EXPECT_TRUE(actions_on(helper).empty()) << "a medic helper is never healed";
}

TEST_F(RedisHealingTest, DryRunPlansAndRecordsButChangesNothing)
{
    const auto folder = root_owned_folder("redis-dry");
    start_medic();
    const auto name = unique_name("redis-dry");
    auto spec = watched(std::string(k_redis));
    spec.binds = {folder + ":/data"};
    spec.labels["medic.dry-run"] = "true";
    start(name, spec);

    ASSERT_TRUE(wait_until(
        [&] {
            auto actions = actions_on(name);
            return !actions.empty() && actions.front().state == store::ActionState::planned;
        },
        30s));
    for (const auto& action : actions_on(name)) {
        EXPECT_EQ(action.state, store::ActionState::planned);
        EXPECT_TRUE(action.dry_run);
    }
    struct stat info {};
    ASSERT_EQ(::stat(folder.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 0U) << "nothing was changed";
    auto details = run(m_client->inspect_container(name));
    EXPECT_FALSE(details->running);
}

TEST_F(RedisHealingTest, AnActionLeftRunningByACrashOfMedicIsMarkedInterruptedAndTheIncidentHealed)
{
    const auto folder = root_owned_folder("redis-crash");
    const auto name = unique_name("redis-crash");
    auto spec = watched(std::string(k_redis));
    spec.binds = {folder + ":/data"};
    const auto id = start(name, spec);
    ASSERT_TRUE(wait_until([&] { return !run(m_client->inspect_container(name))->running; }, 20s));
    // What a medic killed mid-action left behind: an incident being healed, an action running.
    incident::Incident incident;
    incident.container_id = id;
    incident.container_name = name;
    incident.type = ErrorType::permission_denied;
    incident.rule = "redis-aof-permission-denied";
    incident.state = IncidentState::healing;
    incident.count = 1;
    incident.first_seen = incident.last_seen = watch::now_ms();
    incident.message = "Can't open or create append-only dir appendonlydir: Permission denied";
    incident.id = m_store->insert_incident(incident);
    store::ActionRecord action;
    action.incident_id = incident.id;
    action.container_id = id;
    action.container_name = name;
    action.action = "fix_redis_permissions";
    action.safety = "safe";
    action.state = store::ActionState::running;
    action.started_at = watch::now_ms();
    const auto action_id = m_store->insert_action(action);

    start_medic();
    m_engine->recover_interrupted();

    ASSERT_TRUE(wait_until([&] { return m_store->incident_by_id(incident.id)->state == IncidentState::resolved; }, 45s))
        << "the interrupted incident was not healed";
    EXPECT_TRUE(wait_for_redis(name, 10s));
    const auto journal = actions_of(incident.id);
    auto left_running = std::find_if(journal.begin(), journal.end(),
                                     [&](const store::ActionRecord& record) { return record.id == action_id; });
    ASSERT_NE(left_running, journal.end()) << "the action left running is still in the journal";
    EXPECT_EQ(left_running->state, store::ActionState::interrupted);
    EXPECT_GT(journal.size(), 1U) << "and a new action healed the incident";
}

} // namespace
} // namespace medic::e2e
