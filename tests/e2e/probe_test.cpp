// medic's own probes end to end: each kind against a real service that works and one
// that does not; the scheduler finding a Redis whose disk write fails before a client
// does; the SysReptor scenario (its database is healed first); host checks; and
// `medic diagnose` through the binary.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "healing_fixture.hpp"
#include "probe/probe_plan.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;
using classify::ErrorType;
using incident::IncidentState;
using probe::ProbeStatus;

constexpr std::string_view k_redis = "medic-test/redis";
constexpr std::string_view k_postgres = "medic-test/postgres";
constexpr std::string_view k_web = "medic-test/web";

class ProbeTest : public HealingTest {
protected:
    /// A watched container with `port` published on 127.0.0.1 (a port the daemon picks).
    docker::ContainerSpec published(std::string_view image, std::uint16_t port, std::vector<std::string> command = {})
    {
        auto spec = watched(std::string(image), std::move(command));
        docker::PortBinding binding;
        binding.container_port = port;
        spec.ports = {binding};
        return spec;
    }

    /// Runs the probe of `kind` that medic plans for the container (docker-health included), now.
    probe::ProbeResult probe_now(const std::string& name, std::string_view kind)
    {
        auto details = run(m_client->inspect_container(name));
        EXPECT_TRUE(details) << details.error().message;
        if (!details) {
            return {};
        }
        const auto plan = probe::plan_probes(*details, probe::PlanOptions{3s, true});
        for (const auto& spec : plan.probes) {
            if (spec.kind == kind) {
                return run(probe::run_probe(m_io.get_executor(), *m_client, *details, spec));
            }
        }
        ADD_FAILURE() << "no " << kind << " probe planned for " << name;
        return {};
    }

    /// Waits until the probe of `kind` says `status`; the last result.
    probe::ProbeResult wait_for_probe(const std::string& name, std::string_view kind, ProbeStatus status,
                                      std::chrono::milliseconds deadline)
    {
        probe::ProbeResult result;
        wait_until(
            [&] {
                result = probe_now(name, kind);
                return result.status == status;
            },
            deadline);
        return result;
    }

    /// The probe findings recorded for a container.
    std::vector<store::FindingRecord> probe_findings(const std::string& container)
    {
        std::vector<store::FindingRecord> found;
        for (auto& finding : m_store->findings({.page = {1, 500}})) {
            if (finding.container_name == container && finding.channel == classify::Channel::probe) {
                found.push_back(std::move(finding));
            }
        }
        return found;
    }

    /// The probe of `kind` while the container is frozen (`docker pause`): it accepts, never answers.
    probe::ProbeResult probe_while_paused(const std::string& name, std::string_view kind)
    {
        EXPECT_EQ(run_script(fmt::format("docker -H {} pause {} >/dev/null", docker_host(), name)), 0);
        auto result = probe_now(name, kind);
        run_script(fmt::format("docker -H {} unpause {} >/dev/null", docker_host(), name));
        return result;
    }

    std::string web_control(const std::string& name, std::vector<std::string> arguments)
    {
        arguments.insert(arguments.begin(), "web-control");
        return exec(name, arguments);
    }
};

TEST_F(ProbeTest, TcpAnswersWhileTheServiceListensAndFailsBehindAnEmptyPublishedPort)
{
    const auto web = unique_name("probe-tcp-web");
    auto web_spec = published(k_web, 8000);
    web_spec.labels["medic.probes"] = "tcp";
    start(web, web_spec);
    const auto listening = wait_for_probe(web, "tcp", ProbeStatus::ok, 20s);
    EXPECT_EQ(listening.status, ProbeStatus::ok) << listening.summary;

    // Nothing listens on 8000 here; docker-proxy still accepts the connection, then closes it.
    const auto idle = unique_name("probe-tcp-idle");
    auto idle_spec = published(k_tools_image, 8000, {"sleep", "300"});
    idle_spec.labels["medic.probes"] = "tcp";
    start(idle, idle_spec);
    const auto bad = probe_now(idle, "tcp");
    EXPECT_EQ(bad.status, ProbeStatus::failing) << bad.summary;
    EXPECT_NE(bad.summary.find("nothing listens"), std::string::npos) << bad.summary;
}

TEST_F(ProbeTest, HttpChecksStatusBodyAndNamesTheFailedChecks)
{
    const auto name = unique_name("probe-http");
    auto spec = published(k_web, 8000);
    spec.labels["medic.http.endpoints"] = "/health=200~ok,/=200~medic-test/web";
    start(name, spec);
    auto ok = wait_for_probe(name, "http", ProbeStatus::ok, 20s);
    EXPECT_EQ(ok.status, ProbeStatus::ok) << ok.summary;
    web_control(name, {"fail"});
    auto failing = probe_now(name, "http");
    EXPECT_EQ(failing.status, ProbeStatus::failing);
    EXPECT_NE(failing.signal.find("HTTP GET /health: 503"), std::string::npos) << failing.signal;

    // The SysReptor health endpoint: 503 with a JSON of checks; the failed ones are named.
    const auto app = unique_name("probe-sysreptor");
    auto app_spec = published(k_web, 8000);
    app_spec.labels["medic.profile"] = "sysreptor";
    start(app, app_spec);
    EXPECT_EQ(wait_for_probe(app, "http", ProbeStatus::ok, 20s).status, ProbeStatus::ok);
    web_control(app, {"fail", "database"});
    failing = probe_now(app, "http");
    EXPECT_EQ(failing.status, ProbeStatus::failing);
    EXPECT_EQ(failing.failed_checks, std::vector<std::string>{"database"}) << failing.evidence;

    // A body that lacks the expected text fails even with 200.
    web_control(name, {"ok"});
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details);
    auto plan = probe::plan_probes(*details);
    ASSERT_EQ(plan.probes.size(), 1U);
    plan.probes[0].endpoints = {probe::HttpEndpoint{"/health", 200, "everything is fine", false}};
    auto missing = run(probe::run_probe(m_io.get_executor(), *m_client, *details, plan.probes[0]));
    EXPECT_EQ(missing.status, ProbeStatus::failing);
    EXPECT_NE(missing.signal.find("without 'everything is fine'"), std::string::npos) << missing.signal;
}

TEST_F(ProbeTest, RedisAnswersPongAndFailsWhenNothingAnswers)
{
    const auto name = unique_name("probe-redis");
    start(name, published(k_redis, 6379));
    auto ok = wait_for_probe(name, "redis", ProbeStatus::ok, 20s);
    EXPECT_EQ(ok.status, ProbeStatus::ok) << ok.summary;
    EXPECT_NE(ok.summary.find("PONG"), std::string::npos);
    const auto paused = probe_while_paused(name, "redis");
    EXPECT_EQ(paused.status, ProbeStatus::failing);
    EXPECT_NE(paused.summary.find("timed out"), std::string::npos) << paused.summary;
}

TEST_F(ProbeTest, ARedisStillLoadingItsDatasetIsStartingNotFailingAndIsLeftAlone)
{
    start_medic(test_options());
    auto probe_options = probe_test_options();
    probe_options.start_period = 3s; // until it first answers LOADING; then a silent Redis is still loading
    start_probes(probe_options);
    const auto name = unique_name("probe-redis-loading");
    // Loading is slowed so that it lasts seconds: 300 keys at 20 ms each. Redis answers
    // (LOADING) between every 1024 bytes it loads (its smallest setting): about every 20
    // keys, 0.4 s, well inside the probe's timeout. With 100 ms a key it answered only
    // every 2 s, and the scheduler's first probe could time out before it ever heard LOADING.
    auto spec =
        published(k_redis, 6379,
                  {"redis-server", "--dir", "/data", "--bind", "0.0.0.0", "--protected-mode", "no", "--appendonly",
                   "no", "--key-load-delay", "20000", "--loading-process-events-interval-bytes", "1024"});
    spec.labels["medic.probe.interval"] = "1s";
    start(name, spec);
    ASSERT_TRUE(wait_for_redis(name, 20s));
    std::vector<std::string> set_keys{"redis-cli", "mset"};
    for (int key = 1; key <= 300; ++key) {
        set_keys.push_back(fmt::format("k{}", key));
        set_keys.emplace_back("0123456789012345678901234567890123456789");
    }
    ASSERT_EQ(exec(name, set_keys), "OK\n");
    ASSERT_EQ(exec(name, {"redis-cli", "save"}), "OK\n");
    ASSERT_TRUE(run(m_client->restart_container(name, 10)));
    const auto loading = wait_for_probe(name, "redis", ProbeStatus::starting, 10s);
    ASSERT_EQ(loading.status, ProbeStatus::starting) << loading.summary;
    EXPECT_NE(loading.summary.find("LOADING"), std::string::npos) << loading.summary;
    const auto started = run(m_client->inspect_container(name))->started_at;
    // Loading ends by itself; meanwhile the scheduler probed it every second with a threshold of 2.
    ASSERT_EQ(wait_for_probe(name, "redis", ProbeStatus::ok, 30s).status, ProbeStatus::ok);
    EXPECT_EQ(exec(name, {"redis-cli", "dbsize"}), "300\n");
    EXPECT_TRUE(incidents_of(name).empty())
        << "a loading Redis is not a failure: " << incidents_of(name).front().message;
    EXPECT_EQ(run(m_client->inspect_container(name))->started_at, started) << "medic did not restart it";
}

TEST_F(ProbeTest, PostgresIsPingedAsPgIsreadyDoes)
{
    const auto name = unique_name("probe-postgres");
    start(name, published(k_postgres, 5432));
    auto ok = wait_for_probe(name, "postgres", ProbeStatus::ok, 60s);
    EXPECT_EQ(ok.status, ProbeStatus::ok) << ok.summary;
    EXPECT_NE(ok.summary.find("accepting connections"), std::string::npos);
    const auto paused = probe_while_paused(name, "postgres");
    EXPECT_EQ(paused.status, ProbeStatus::failing);
    EXPECT_NE(paused.summary.find("no response"), std::string::npos) << paused.summary;
}

TEST_F(ProbeTest, ExecRunsACommandInsideAndReportsItsExitCodeAndOutput)
{
    const auto name = unique_name("probe-exec");
    auto spec = watched(std::string(k_web));
    spec.labels["medic.probe.exec"] = "web-control status";
    start(name, spec);
    auto ok = wait_for_probe(name, "exec", ProbeStatus::ok, 20s);
    EXPECT_EQ(ok.status, ProbeStatus::ok) << ok.summary;
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details);
    probe::ProbeSpec failing_spec;
    failing_spec.kind = "exec";
    failing_spec.timeout = 5s;
    failing_spec.command = {"cat", "/run/web/no-such-file"};
    auto failing = run(probe::run_probe(m_io.get_executor(), *m_client, *details, failing_spec));
    EXPECT_EQ(failing.status, ProbeStatus::failing);
    EXPECT_NE(failing.summary.find("exited 1"), std::string::npos) << failing.summary;
    EXPECT_NE(failing.summary.find("No such file"), std::string::npos) << failing.summary;
}

TEST_F(ProbeTest, DockerHealthReportsTheContainersOwnCheckWithItsLastOutputs)
{
    const auto name = unique_name("probe-docker-health");
    auto spec = watched(std::string(k_web));
    spec.healthcheck = web_healthcheck(500'000'000, 1);
    start(name, spec);
    ASSERT_TRUE(wait_until_healthy(name, 30s));
    EXPECT_EQ(probe_now(name, "docker-health").status, ProbeStatus::ok);
    web_control(name, {"fail"});
    auto failing = wait_for_probe(name, "docker-health", ProbeStatus::failing, 20s);
    EXPECT_EQ(failing.status, ProbeStatus::failing);
    EXPECT_NE(failing.summary.find("503"), std::string::npos) << failing.summary;
    EXPECT_FALSE(failing.evidence.empty());
}

TEST_F(ProbeTest, AWebServiceWithoutAHealthcheckIsFoundByItsProbeAndHealed)
{
    auto options = test_options();
    start_medic(options);
    start_probes();
    const auto name = unique_name("probe-heal-web");
    auto spec = published(k_web, 8000);
    spec.labels["medic.http.endpoints"] = "/health";
    spec.labels["medic.probe.interval"] = "1s";
    start(name, spec);
    ASSERT_TRUE(wait_until([&] { return m_probes->container_count() >= 1; }, 20s));
    EXPECT_EQ(wait_for_probe(name, "http", ProbeStatus::ok, 20s).status, ProbeStatus::ok);
    web_control(name, {"fail"}); // a restart clears it: the container's start resets the state
    auto healed = wait_for_incident(name, ErrorType::health_check_failed, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "no resolved HEALTH_CHECK_FAILED incident on " << name;
    EXPECT_NE(healed->message.find("probe http"), std::string::npos) << healed->message;
    const auto actions = actions_of(healed->id);
    ASSERT_FALSE(actions.empty());
    EXPECT_EQ(actions.front().action, "restart_container");
    EXPECT_NE(actions.front().after.find("probe http"), std::string::npos)
        << "verified by the probe: " << actions.front().after;
    EXPECT_EQ(probe_now(name, "http").status, ProbeStatus::ok) << "the service answers again";
}

TEST_F(ProbeTest, ARedisWhoseDiskWriteFailsIsFoundByTheProbeBeforeAnyClientWriteFails)
{
    auto options = test_options();
    options.enabled = false; // detection only: the disk stays full
    start_medic(options);
    start_probes();
    const auto name = unique_name("probe-redis-full");
    auto spec = published(k_redis, 6379,
                          {"redis-server", "--dir", "/data", "--bind", "0.0.0.0", "--protected-mode", "no",
                           "--appendonly", "no", "--save", "1 1"});
    spec.labels["medic.probe.interval"] = "1s";
    docker::MountSpec data;
    data.type = "tmpfs";
    data.target = "/data";
    data.tmpfs_size_bytes = 1024 * 1024;
    spec.mounts = {data};
    spec.user = "0"; // the daemon makes a tmpfs over the image's /data root-owned, mode 755
    start(name, spec);
    ASSERT_TRUE(wait_for_redis(name, 20s));
    ASSERT_TRUE(wait_until([&] { return m_probes->container_count() >= 1; }, 20s));
    // The disk fills (a log, a backup, anything); the client's write still succeeds.
    exec(name, {"dd", "if=/dev/zero", "of=/data/filler", "bs=64k", "count=64"});
    ASSERT_EQ(exec(name, {"redis-cli", "set", "order:1", "paid"}), "OK\n") << "the client has noticed nothing";
    // The background save that follows fails; the probe sees it in INFO persistence.
    ASSERT_TRUE(wait_until([&] { return !probe_findings(name).empty(); }, 30s)) << "no probe finding on " << name;
    const auto findings = probe_findings(name);
    EXPECT_EQ(findings.front().type, ErrorType::resource_exhausted) << findings.front().text;
    EXPECT_NE(findings.front().text.find("rdb_last_bgsave_status:err"), std::string::npos) << findings.front().text;
    EXPECT_NE(findings.front().text.find("No space left on device"), std::string::npos) << findings.front().text;
    // It was real: the next write a client makes is refused.
    docker::ExecSpec write;
    write.command = {"redis-cli", "set", "order:2", "paid"};
    auto refused = run(m_client->exec(name, write, 20s));
    ASSERT_TRUE(refused);
    EXPECT_NE(refused->stdout_text.find("MISCONF"), std::string::npos) << refused->stdout_text;
}

TEST_F(ProbeTest, SysreptorWithItsDatabaseStoppedGetsTheDatabaseHealedFirst)
{
    const auto network = fmt::format("medic-e2e-sysreptor-{}", ::getpid());
    ASSERT_EQ(run_script(fmt::format("docker -H {} network create {} >/dev/null", docker_host(), network)), 0);
    // Published on loopback as well: medic's probes reach them there (the app uses the network).
    const auto db = unique_name("sysreptor-db");
    auto db_spec = published(k_postgres, 5432);
    db_spec.network_mode = network;
    start(db, db_spec);
    const auto cache = unique_name("sysreptor-redis");
    auto cache_spec = published(k_redis, 6379);
    cache_spec.network_mode = network;
    start(cache, cache_spec);
    const auto app = unique_name("sysreptor-app");
    auto app_spec = published(k_web, 8000);
    app_spec.network_mode = network;
    app_spec.labels["medic.profile"] = "sysreptor";
    app_spec.labels["medic.probe.interval"] = "1s";
    app_spec.environment = {"DATABASE_HOST=" + db, "REDIS_HOST=" + cache, "WEB_DATABASE=" + db + ":5432",
                            "WEB_CACHE=" + cache + ":6379", "WEB_QUIET=1"};
    start(app, app_spec);
    auto healthy = wait_for_probe(app, "http", ProbeStatus::ok, 60s);
    ASSERT_EQ(healthy.status, ProbeStatus::ok) << "the app never came up: " << healthy.summary;

    start_medic(test_options());
    start_probes();
    ASSERT_TRUE(wait_until([&] { return m_probes->container_count() >= 3; }, 20s));
    ASSERT_TRUE(run(m_client->stop_container(db, 10))); // a person, a host reboot, an OOM of the database
    auto healed = wait_for_incident(app, ErrorType::health_check_failed, IncidentState::resolved, 90s);
    ASSERT_TRUE(healed) << "the app's incident was not resolved";
    EXPECT_EQ(healed->context["checks"], "database") << healed->message;
    const auto actions = actions_of(healed->id);
    ASSERT_FALSE(actions.empty());
    EXPECT_EQ(actions.front().container_name, db) << "the database is healed first";
    EXPECT_EQ(actions.front().action, "restart_container");
    EXPECT_EQ(actions.front().state, store::ActionState::succeeded);
    auto db_details = run(m_client->inspect_container(db));
    ASSERT_TRUE(db_details);
    EXPECT_TRUE(db_details->running);
    EXPECT_EQ(probe_now(db, "postgres").status, ProbeStatus::ok);
    const auto app_answer = probe_now(app, "http");
    EXPECT_EQ(app_answer.status, ProbeStatus::ok) << app_answer.summary;
    run_script(fmt::format("docker -H {} rm -f {} {} {} >/dev/null 2>&1", docker_host(), app, cache, db));
    run_script(fmt::format("docker -H {} network rm {} >/dev/null 2>&1", docker_host(), network));
}

TEST_F(ProbeTest, AHostDiskAboveTheThresholdIsAFindingBeforeItIsFull)
{
    auto options = test_options();
    options.policy.dry_run = true; // plan only: nothing on the shared engine is pruned
    start_medic(options);
    auto probe_options = probe_test_options();
    probe_options.host = true;
    probe_options.host_interval = 1s;
    probe_options.host_thresholds.disk_percent = 1; // any disk in use is "full" for this test
    start_probes(probe_options);
    std::optional<incident::Incident> found;
    ASSERT_TRUE(wait_until(
        [&] {
            for (const auto& incident : incidents_of(std::string(incident::k_host))) {
                if (incident.type == ErrorType::resource_exhausted) {
                    found = incident;
                    return true;
                }
            }
            return false;
        },
        30s));
    EXPECT_EQ(found->context["resource"], "disk");
    auto info = run(m_client->system_info());
    ASSERT_TRUE(info);
    EXPECT_NE(found->message.find(info->docker_root_dir), std::string::npos) << found->message;
    EXPECT_NE(found->message.find("(threshold 1%)"), std::string::npos) << found->message;
}

TEST_F(ProbeTest, DiagnoseSaysWhatIsWrongTheEvidenceAndThePlaybookAndChangesNothing)
{
    const auto name = unique_name("probe-diagnose");
    auto spec = published(k_web, 8000);
    spec.labels["medic.http.endpoints"] = "/health";
    start(name, spec);
    EXPECT_EQ(wait_for_probe(name, "http", ProbeStatus::ok, 20s).status, ProbeStatus::ok);
    {
        ChildProcess diagnose({MEDIC_BINARY, "--docker-host", docker_host(), "diagnose", name});
        EXPECT_EQ(diagnose.wait(60s), 0) << diagnose.output();
        EXPECT_NE(diagnose.output().find("Nothing wrong found."), std::string::npos) << diagnose.output();
    }
    web_control(name, {"--persist", "fail"});
    const auto before = run(m_client->inspect_container(name));
    ASSERT_TRUE(before);
    ChildProcess diagnose({MEDIC_BINARY, "--docker-host", docker_host(), "diagnose", "--json", name});
    EXPECT_EQ(diagnose.wait(60s), 1) << diagnose.output();
    auto report = nlohmann::json::parse(diagnose.output(), nullptr, false);
    ASSERT_TRUE(report.is_object()) << diagnose.output();
    EXPECT_EQ(report["profile"], "generic");
    ASSERT_EQ(report["problems"].size(), 1U) << report.dump(2);
    const auto& problem = report["problems"][0];
    EXPECT_EQ(problem["type"], "HEALTH_CHECK_FAILED");
    EXPECT_EQ(problem["source"], "probe http");
    EXPECT_NE(problem["evidence"].get<std::string>().find("503"), std::string::npos);
    EXPECT_EQ(problem["playbook"]["steps"][0]["action"], "restart_container");
    EXPECT_FALSE(problem["playbook"]["advice"].get<std::string>().empty());
    const auto after = run(m_client->inspect_container(name));
    ASSERT_TRUE(after);
    EXPECT_EQ(after->started_at, before->started_at) << "diagnose restarted nothing";
    EXPECT_EQ(probe_now(name, "http").status, ProbeStatus::failing) << "and repaired nothing";

    ChildProcess missing({MEDIC_BINARY, "--docker-host", docker_host(), "diagnose", "no-such-container-medic"});
    EXPECT_EQ(missing.wait(30s), 2);
    EXPECT_NE(missing.output().find("no container called 'no-such-container-medic'"), std::string::npos)
        << missing.output();
}

} // namespace
} // namespace medic::e2e
