// The medic binary itself: `medic ps` and `medic run` against the real engine.

#include <csignal>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;

using CliTest = EngineTest;

ProcessResult run_medic(std::vector<std::string> arguments, std::vector<std::string> environment = {})
{
    arguments.insert(arguments.begin(), MEDIC_BINARY);
    ChildProcess child(std::move(arguments), std::move(environment));
    ProcessResult result;
    result.exit_code = child.wait(60s);
    result.output = child.output();
    return result;
}

TEST_F(CliTest, ConfigCheckSaysWhatIsWrongInTheFileAndInTheLabelsOfRunningContainers)
{
    const auto name = unique_name("config-typo");
    auto spec = tools({"sh", "-c", "exec sleep 300"});
    spec.labels["medic.enabled"] = "true"; // a typo that would silently turn healing off under opt-in
    spec.labels["medic.priority"] = "urgent";
    start(name, spec);
    const auto good = fmt::format("/tmp/medic-config-check-{}.yaml", ::getpid());
    std::ofstream(good) << "watch: opt-in\nnotify:\n  - url: http://127.0.0.1:9/hook\n    preset: ntfy\n";
    auto checked = run_medic({"--docker-host", docker_host(), "config", "check", good});
    EXPECT_EQ(checked.exit_code, 1) << checked.output;
    EXPECT_NE(checked.output.find(good + ": ok"), std::string::npos) << checked.output;
    EXPECT_NE(checked.output.find(name + ": label medic.enabled"), std::string::npos) << checked.output;
    EXPECT_NE(checked.output.find("medic.enable"), std::string::npos) << "says what was meant";
    EXPECT_NE(checked.output.find(name + ": label medic.priority"), std::string::npos) << checked.output;

    const auto bad = fmt::format("/tmp/medic-config-check-bad-{}.yaml", ::getpid());
    std::ofstream(bad) << "watch: opt-in\n\nnotify_on: sometimes\n";
    auto refused = run_medic({"config", "check", bad, "--file-only"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.output.find(bad + ":3: notify_on must be 'all' or 'failures'"), std::string::npos)
        << refused.output;
    std::remove(good.c_str());
    std::remove(bad.c_str());
}

TEST_F(CliTest, PsListsContainersWithHealthRestartsAndPorts)
{
    const auto port = free_loopback_port();
    const auto name = unique_name("ps-web");
    docker::ContainerSpec spec;
    spec.image = "medic-test/web";
    spec.labels = {{"medic.e2e", "true"}};
    spec.ports.push_back(docker::PortBinding{8000, "tcp", "127.0.0.1", port});
    spec.healthcheck = web_healthcheck(200'000'000, 2);
    start(name, spec);
    ASSERT_TRUE(wait_until_healthy(name, 30s));

    auto table = run_medic({"--docker-host", docker_host(), "ps"});
    ASSERT_EQ(table.exit_code, 0) << table.output;
    std::string row;
    for (std::size_t start = 0, end = 0; start < table.output.size(); start = end + 1) {
        end = table.output.find('\n', start);
        auto line = table.output.substr(start, end - start);
        if (line.starts_with(name + " ")) {
            row = line;
        }
    }
    ASSERT_FALSE(row.empty()) << table.output;
    EXPECT_NE(row.find("medic-test/web"), std::string::npos) << row;
    EXPECT_NE(row.find("running"), std::string::npos) << row;
    EXPECT_NE(row.find("healthy"), std::string::npos) << row;
    EXPECT_NE(row.find(fmt::format("127.0.0.1:{}->8000/tcp", port)), std::string::npos) << row;

    auto listed = run_medic({"ps", "--json"}, {"DOCKER_HOST=" + docker_host()});
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    auto parsed = nlohmann::json::parse(listed.output, nullptr, false);
    ASSERT_TRUE(parsed.is_array()) << listed.output;
    bool found = false;
    for (const auto& item : parsed) {
        if (item["name"] == name) {
            found = true;
            EXPECT_EQ(item["health"], "healthy");
            EXPECT_EQ(item["state"], "running");
            EXPECT_EQ(item["restarts"], 0);
            EXPECT_TRUE(item["uptime_seconds"].is_number());
        }
    }
    EXPECT_TRUE(found) << listed.output;
}

TEST_F(CliTest, PsWithoutADaemonNamesTheAddressAndTheFix)
{
    auto result = run_medic({"--docker-host", "unix:///tmp/medic-e2e-no-daemon.sock", "ps"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.output.find("unix:///tmp/medic-e2e-no-daemon.sock"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("--docker-host"), std::string::npos) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

TEST_F(CliTest, RunFollowsEventsDetectsIncidentsAndStopsCleanlyOnSigterm)
{
    const auto data_dir = fmt::format("/tmp/medic-e2e-data-{}", ::getpid());
    run_script("rm -rf " + data_dir);
    ChildProcess medic({MEDIC_BINARY, "--docker-host", docker_host(), "run", "--data-dir", data_dir, "--watch-label",
                        "medic.e2e.run=" + m_run_label});
    ASSERT_TRUE(wait_until([&] { return medic.output().find("watching with") != std::string::npos; }, 30s))
        << medic.output();
    // Another project's container on the same engine: this medic never hears of it. It
    // starts and fails first, so its events come before the ones awaited below.
    const auto outsider = unique_name("outside-the-label");
    auto outsider_spec =
        tools({"sh", "-c", "echo \"Can't open or create append-only dir appendonlydir: Permission denied\"; exit 1"});
    outsider_spec.labels["medic.e2e.run"] = m_run_label + "-another-project";
    start(outsider, outsider_spec);
    const auto exits = unique_name("seen-by-run");
    start(exits, tools({"sh", "-c", "exit 5"}));
    EXPECT_TRUE(wait_until(
        [&] {
            return medic.output().find(fmt::format("event: container die {} (exit code 5)", exits)) !=
                   std::string::npos;
        },
        30s))
        << medic.output();
    const auto denied = unique_name("denied-by-run");
    start(denied,
          tools({"sh", "-c", "echo \"Can't open or create append-only dir appendonlydir: Permission denied\""}));
    EXPECT_TRUE(wait_until(
        [&] { return medic.output().find(fmt::format("PERMISSION_DENIED on {}", denied)) != std::string::npos; }, 30s))
        << medic.output();
    EXPECT_EQ(medic.stop(SIGTERM, 10s), 0) << medic.output();
    EXPECT_NE(medic.output().find("stopped"), std::string::npos) << medic.output();
    EXPECT_NE(medic.output().find("only containers labelled medic.e2e.run=" + m_run_label + " are watched"),
              std::string::npos)
        << medic.output();
    EXPECT_EQ(medic.output().find(outsider), std::string::npos) << medic.output();

    // The history outlives the daemon: medic incidents reads it.
    auto table = run_medic({"incidents", "--data-dir", data_dir, "--open"});
    ASSERT_EQ(table.exit_code, 0) << table.output;
    EXPECT_NE(table.output.find(denied), std::string::npos) << table.output;
    auto listed = run_medic({"incidents", "--data-dir", data_dir, "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    auto parsed = nlohmann::json::parse(listed.output, nullptr, false);
    ASSERT_TRUE(parsed.is_array()) << listed.output;
    bool found = false;
    for (const auto& incident : parsed) {
        if (incident["container"] == denied) {
            found = true;
            EXPECT_EQ(incident["type"], "PERMISSION_DENIED");
            EXPECT_EQ(incident["context"]["path"], "appendonlydir");
            EXPECT_EQ(incident["state"], "open");
        }
    }
    EXPECT_TRUE(found) << listed.output;
    run_script("rm -rf " + data_dir);
}

TEST_F(CliTest, ClassifyPrintsOneJsonObjectPerFindingAndASummary)
{
    const auto input = fmt::format("/tmp/medic-e2e-classify-{}.log", ::getpid());
    run_script(fmt::format("printf '%s\\n' 'all good here' "
                           "'Error response from daemon: driver failed programming external connectivity on endpoint "
                           "web (abc): Bind for 0.0.0.0:8080 failed: port is already allocated' > {}",
                           input));
    auto result = run_medic({"classify", input});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto finding = nlohmann::json::parse(result.output.substr(0, result.output.find('\n')), nullptr, false);
    ASSERT_TRUE(finding.is_object()) << result.output;
    EXPECT_EQ(finding["line"], 2);
    EXPECT_EQ(finding["type"], "PORT_CONFLICT");
    EXPECT_EQ(finding["context"]["port"], "8080");
    auto summary = run_medic({"classify", "--summary", input});
    EXPECT_NE(summary.output.find("PORT_CONFLICT"), std::string::npos) << summary.output;
    EXPECT_NE(summary.output.find("1 findings in 2 lines"), std::string::npos) << summary.output;
    auto missing = run_medic({"classify", "/nonexistent/medic.log"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.output.find("/nonexistent/medic.log"), std::string::npos);
    run_script("rm -f " + input);
}

TEST_F(CliTest, ClassifyRunReadsACrashAsAWholeAndNamesTheCauseTheDecidingLineAndItsContext)
{
    const auto write = [](const std::string& name, const std::string& text) {
        const auto path = fmt::format("/tmp/medic-e2e-run-{}-{}.log", name, ::getpid());
        std::ofstream(path, std::ios::binary) << text;
        return path;
    };
    const auto decide = [](const std::string& path) {
        auto result = run_medic({"classify", "--run", path});
        return std::make_pair(result.exit_code, nlohmann::json::parse(result.output, nullptr, false));
    };
    // Redis 7 on a data folder its user cannot enter: the block's first line alone says
    // "config file error", its last line says why, and the ">>>" line says where.
    const auto redis = write("redis", "1:C 08 Dec 2026 01:02:03.456 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n"
                                      "\n"
                                      "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                                      "Reading the configuration file, at line 2\n"
                                      ">>> 'dir \"/data\"'\n"
                                      "Permission denied\n");
    auto [redis_code, redis_run] = decide(redis);
    EXPECT_EQ(redis_code, 0) << redis_run;
    ASSERT_TRUE(redis_run.is_object()) << redis_run;
    EXPECT_EQ(redis_run["type"], "PERMISSION_DENIED") << redis_run;
    EXPECT_EQ(redis_run["decided_by"], "Permission denied") << redis_run;
    EXPECT_EQ(redis_run["context"]["path"], "/data") << redis_run;
    EXPECT_EQ(redis_run["evidence"].size(), 4U) << redis_run;
    EXPECT_EQ(redis_run["lines"], 6) << redis_run;

    // A Python service: the traceback's last line is the cause, whatever the frames above say.
    const auto python = write("python", "Traceback (most recent call last):\n"
                                        "  File \"/srv/app/main.py\", line 12, in <module>\n"
                                        "    store = open(STATE, \"a\")\n"
                                        "PermissionError: [Errno 13] Permission denied: '/srv/app/state/app.db'\n");
    auto [python_code, python_run] = decide(python);
    EXPECT_EQ(python_code, 0) << python_run;
    EXPECT_EQ(python_run["type"], "PERMISSION_DENIED") << python_run;
    EXPECT_EQ(python_run["block"], "python_traceback") << python_run;
    EXPECT_NE(python_run["decided_by"].get<std::string>().find("PermissionError"), std::string::npos) << python_run;
    EXPECT_EQ(python_run["context"]["path"], "/srv/app/state/app.db") << python_run;

    // A run that names no problem says so, with exit code 1.
    const auto quiet = write("quiet", "listening on :8080\nready\n");
    auto [quiet_code, quiet_run] = decide(quiet);
    EXPECT_EQ(quiet_code, 1) << quiet_run;
    EXPECT_TRUE(quiet_run["type"].is_null()) << quiet_run;
    EXPECT_EQ(quiet_run["lines"], 2) << quiet_run;
    run_script(fmt::format("rm -f {} {} {}", redis, python, quiet));
}

TEST_F(CliTest, RunRefusesABadConfigWithFileAndLine)
{
    const auto config = fmt::format("/tmp/medic-e2e-config-{}.yaml", ::getpid());
    run_script(fmt::format("printf 'listen: 127.0.0.1:9470\\nlisten_adress: x\\n' > {}", config));
    auto result = run_medic({"run", "--config", config});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find(config + ":2: unknown key 'listen_adress'"), std::string::npos) << result.output;
    run_script("rm -f " + config);
}

} // namespace
} // namespace medic::e2e
