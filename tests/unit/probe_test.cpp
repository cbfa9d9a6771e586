// The probes' pure parts: labels and profiles to a plan, where a probe connects,
// failed probes to findings with the real catalog, host figures, the probe settings.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "cli/settings.hpp"
#include "probe/host_check.hpp"
#include "probe/probe_finding.hpp"
#include "probe/probe_plan.hpp"

namespace medic::probe {
namespace {

using namespace std::chrono_literals;

docker::ContainerDetails container(std::string image, docker::Labels labels = {})
{
    docker::ContainerDetails details;
    details.id = "abc123";
    details.name = "svc";
    details.image = std::move(image);
    details.labels = std::move(labels);
    details.running = true;
    return details;
}

std::vector<std::string> kinds(const ProbePlan& plan)
{
    std::vector<std::string> names;
    for (const auto& spec : plan.probes) {
        names.push_back(spec.kind);
    }
    return names;
}

TEST(ProbePlan, RedisGetsItsOwnProbeEveryThirtySecondsOnThePublishedPort)
{
    auto redis = container("redis:7");
    redis.ports = {{"0.0.0.0", 6379, 16379, "tcp"}};
    const auto plan = plan_probes(redis);
    ASSERT_EQ(kinds(plan), std::vector<std::string>{"redis"});
    EXPECT_EQ(plan.probes[0].interval, 30s);
    ASSERT_TRUE(plan.probes[0].address);
    EXPECT_EQ(plan.probes[0].address->to_string(), "127.0.0.1:16379");
    EXPECT_EQ(plan.probes[0].address->source, "published port");
}

TEST(ProbePlan, SysreptorIsAskedForItsHealthEndpointEveryFifteenSeconds)
{
    auto app = container("syslifters/sysreptor:2024.1");
    app.addresses = {{"sysreptor_default", "172.20.0.4"}};
    const auto plan = plan_probes(app);
    ASSERT_EQ(kinds(plan), std::vector<std::string>{"http"});
    EXPECT_EQ(plan.probes[0].interval, 15s);
    ASSERT_EQ(plan.probes[0].endpoints.size(), 1U);
    EXPECT_EQ(plan.probes[0].endpoints[0].path, "/api/public/utils/healthcheck/");
    EXPECT_TRUE(plan.probes[0].endpoints[0].health_checks);
    // Not published: its address on its network.
    EXPECT_EQ(plan.probes[0].address->to_string(), "172.20.0.4:8000");
}

TEST(ProbePlan, LabelsChooseEndpointsIntervalAndAddress)
{
    auto web = container("nginx", {{"medic.http.endpoints", "/health,/api/ready=204,/=200~Welcome"},
                                   {"medic.probe.interval", "5s"},
                                   {"medic.probe.address", "127.0.0.1:8080"}});
    const auto plan = plan_probes(web);
    ASSERT_EQ(kinds(plan), std::vector<std::string>{"http"});
    const auto& spec = plan.probes[0];
    EXPECT_EQ(spec.interval, 5s);
    EXPECT_EQ(spec.address->to_string(), "127.0.0.1:8080");
    ASSERT_EQ(spec.endpoints.size(), 3U);
    EXPECT_EQ(spec.endpoints[0].expect_status, 0);
    EXPECT_EQ(spec.endpoints[1].expect_status, 204);
    EXPECT_EQ(spec.endpoints[2].body_contains, "Welcome");
    EXPECT_TRUE(plan.problems.empty());
}

TEST(ProbePlan, AGenericServiceWithAPortIsAtLeastAskedForAConnection)
{
    auto app = container("example/app");
    app.exposed_ports = {9000, 8080};
    app.ports = {{"127.0.0.1", 8080, 18080, "tcp"}};
    const auto plan = plan_probes(app);
    ASSERT_EQ(kinds(plan), std::vector<std::string>{"tcp"});
    EXPECT_EQ(plan.probes[0].address->to_string(), "127.0.0.1:18080");
}

TEST(ProbePlan, NoPortNoLabelsNoProbe)
{
    EXPECT_TRUE(plan_probes(container("busybox")).probes.empty());
}

TEST(ProbePlan, ExecCommandIsAnArgumentVectorNotAShellString)
{
    const auto plan = plan_probes(container("busybox", {{"medic.probe.exec", "test -f /run/ready; rm -rf /"}}));
    ASSERT_EQ(kinds(plan), std::vector<std::string>{"exec"});
    EXPECT_EQ(plan.probes[0].command,
              (std::vector<std::string>{"test", "-f", "/run/ready;", "rm", "-rf", "/"})); // words, not a script
}

TEST(ProbePlan, MedicProbesPicksKindsOrNone)
{
    auto redis = container("redis");
    redis.ports = {{"0.0.0.0", 6379, 16379, "tcp"}};
    redis.labels = {{"medic.probes", "none"}};
    EXPECT_TRUE(plan_probes(redis).probes.empty());
    redis.labels = {{"medic.probes", "tcp,redis"}};
    EXPECT_EQ(kinds(plan_probes(redis)), (std::vector<std::string>{"redis", "tcp"}));
    redis.labels = {{"medic.probes", "redis,telepathy"}};
    const auto plan = plan_probes(redis);
    ASSERT_EQ(plan.problems.size(), 1U);
    EXPECT_NE(plan.problems[0].find("unknown probe 'telepathy'"), std::string::npos);
}

TEST(ProbePlan, BadLabelsAreSaidAndDefaultsStay)
{
    auto web = container("nginx", {{"medic.http.endpoints", "health"}, {"medic.probe.interval", "soon"}});
    web.ports = {{"0.0.0.0", 80, 8081, "tcp"}};
    const auto plan = plan_probes(web);
    ASSERT_EQ(plan.problems.size(), 2U);
    EXPECT_NE(plan.problems[0].find("medic.probe.interval=soon: not a duration"), std::string::npos)
        << plan.problems[0];
    EXPECT_NE(plan.problems[1].find("endpoint 'health' must start with '/'"), std::string::npos) << plan.problems[1];
    ASSERT_EQ(kinds(plan), std::vector<std::string>{"tcp"});
    EXPECT_EQ(plan.probes[0].interval, 30s);
}

TEST(ProbePlan, DockerHealthOnlyWhenAskedAndTheContainerHasACheck)
{
    auto web = container("nginx");
    web.health = docker::HealthState{"healthy", 0, {}};
    EXPECT_TRUE(plan_probes(web).probes.empty());
    EXPECT_EQ(kinds(plan_probes(web, PlanOptions{5s, true})), std::vector<std::string>{"docker-health"});
}

TEST(ProbeAddress, LabelThenPublishedPortThenNetworkThenHostNetwork)
{
    auto redis = container("redis");
    redis.addresses = {{"backend", "172.18.0.5"}};
    EXPECT_EQ(resolve_address(redis, 6379)->to_string(), "172.18.0.5:6379");
    redis.ports = {{"::", 6379, 16380, "tcp"}};
    EXPECT_EQ(resolve_address(redis, 6379)->to_string(), "[::1]:16380");
    redis.ports = {{"192.0.2.10", 6379, 16381, "tcp"}};
    EXPECT_EQ(resolve_address(redis, 6379)->to_string(), "192.0.2.10:16381");
    redis.labels = {{"medic.probe.address", "cache.internal:7000"}};
    EXPECT_EQ(resolve_address(redis, 6379)->to_string(), "cache.internal:7000");
    auto host = container("redis");
    host.network_mode = "host";
    EXPECT_EQ(resolve_address(host, 6379)->source, "host network");
    EXPECT_FALSE(resolve_address(container("redis", {{"medic.probe.address", "no-port"}}), 6379));
}

TEST(ProbeDuration, SecondsMinutesHoursOnly)
{
    EXPECT_EQ(parse_duration("30s"), 30s);
    EXPECT_EQ(parse_duration("5m"), 5min);
    EXPECT_EQ(parse_duration("1h"), 1h);
    EXPECT_FALSE(parse_duration("0s"));
    EXPECT_FALSE(parse_duration("10"));
    EXPECT_FALSE(parse_duration("-5s"));
    EXPECT_FALSE(parse_duration("s"));
}

class ProbeFindingTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto classifier = classify::Classifier::create_embedded();
        ASSERT_TRUE(classifier) << classifier.error().message;
        m_classifier = std::make_unique<classify::Classifier>(std::move(*classifier));
    }
    std::unique_ptr<classify::Classifier> m_classifier;
};

TEST_F(ProbeFindingTest, AFailedSaveTakesItsCauseFromTheServersLog)
{
    ProbeSpec spec;
    spec.kind = "redis";
    ProbeResult result;
    result.status = ProbeStatus::failing;
    result.signal = "redis INFO persistence: rdb_last_bgsave_status:err";
    result.log_tail = {"1:M 28 Nov 2026 10:00:00.000 * 1 changes in 1 seconds. Saving...",
                       "31:C 28 Nov 2026 10:00:00.010 # Failed opening the temp RDB file temp-31.rdb (in server root "
                       "dir /data) for saving: Permission denied",
                       "1:M 28 Nov 2026 10:00:00.100 # Background saving error"};
    auto finding = finding_for(*m_classifier, spec, result);
    EXPECT_EQ(finding.type, classify::ErrorType::permission_denied);
    EXPECT_EQ(finding.context["probe"], "redis");
    EXPECT_NE(finding.text.find("rdb_last_bgsave_status:err"), std::string::npos);

    result.log_tail = {"31:C 28 Nov 2026 10:00:00.010 # Write error saving DB on disk: No space left on device"};
    EXPECT_EQ(finding_for(*m_classifier, spec, result).type, classify::ErrorType::resource_exhausted);
}

TEST_F(ProbeFindingTest, MisconfWithoutACauseInTheLogIsResourceExhausted)
{
    ProbeSpec spec;
    spec.kind = "redis";
    ProbeResult result;
    result.status = ProbeStatus::failing;
    result.signal = "redis PING: MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
                    "persist to disk.";
    EXPECT_EQ(finding_for(*m_classifier, spec, result).type, classify::ErrorType::resource_exhausted);
}

TEST_F(ProbeFindingTest, AnHttpErrorOrNoAnswerIsAFailedHealthCheckWithTheFailedChecks)
{
    ProbeSpec spec;
    spec.kind = "http";
    spec.address = Address{"127.0.0.1", 8000, "published port"};
    ProbeResult result;
    result.status = ProbeStatus::failing;
    result.signal = "HTTP GET /api/public/utils/healthcheck/: 503 Service Unavailable (expected 200)";
    result.failed_checks = {"database"};
    auto finding = finding_for(*m_classifier, spec, result);
    EXPECT_EQ(finding.type, classify::ErrorType::health_check_failed);
    ASSERT_NE(finding.rule, nullptr);
    EXPECT_EQ(finding.rule->id, "probe-http-error-status");
    EXPECT_EQ(finding.context["checks"], "database");
    EXPECT_EQ(finding.context["address"], "127.0.0.1:8000");

    result.signal = "tcp 127.0.0.1:8000: connect to 127.0.0.1:8000: connection refused";
    EXPECT_EQ(finding_for(*m_classifier, spec, result).type, classify::ErrorType::health_check_failed);
    result.signal = "exec test -f /ready: exit 1: ";
    EXPECT_EQ(finding_for(*m_classifier, spec, result).type, classify::ErrorType::health_check_failed);
}

TEST(ProbeRegistry, EveryKindIsRegisteredOnceAndTheReadmeTableNamesExactlyThem)
{
    std::ifstream readme(std::string(MEDIC_SOURCE_DIR) + "/README.md");
    std::stringstream text;
    text << readme.rdbuf();
    const auto section = text.str().substr(text.str().find("## How medic probes"));
    const auto table = section.substr(0, section.find("\n\n**"));
    std::size_t rows = 0;
    for (std::size_t at = 0; (at = table.find("\n| `", at)) != std::string::npos; ++at) {
        ++rows;
    }
    EXPECT_EQ(rows, all_probes().size());
    for (const auto* probe : all_probes()) {
        EXPECT_EQ(find_probe(probe->kind()), probe);
        EXPECT_NE(table.find(fmt::format("| `{}` |", probe->kind())), std::string::npos)
            << probe->kind() << " is not in the README's probe table";
    }
}

TEST(HostCheck, FindingsComeAtTheThresholdsAndNotBelow)
{
    HostReport report;
    DiskReport root;
    root.path = "/var/lib/docker";
    root.what = "Docker data root";
    root.total_bytes = 100ULL << 30;
    root.available_bytes = 15ULL << 30; // 85 % used
    report.disks = {root};
    report.memory_total = 1000ULL << 20;
    report.memory_available = 100ULL << 20; // 90 % used
    EXPECT_TRUE(host_findings(report, HostThresholds{90, 95}).empty()) << "below both thresholds";

    const auto findings = host_findings(report, HostThresholds{85, 90});
    ASSERT_EQ(findings.size(), 2U);
    EXPECT_EQ(findings[0].type, classify::ErrorType::resource_exhausted);
    EXPECT_EQ(findings[0].context.at("resource"), "disk");
    EXPECT_EQ(findings[0].context.at("path"), "/var/lib/docker");
    EXPECT_NE(findings[0].text.find("85% full, 16.1 GB free (threshold 85%)"), std::string::npos) << findings[0].text;
    EXPECT_EQ(findings[1].context.at("resource"), "memory");
    EXPECT_NE(findings[1].text.find("90% in use"), std::string::npos) << findings[1].text;
}

TEST(HostCheck, MeminfoAndPressure)
{
    const auto [total, available] =
        parse_meminfo("MemTotal:       24684096 kB\nMemFree:         1000 kB\nMemAvailable:   12342048 kB\n");
    EXPECT_EQ(total, 24684096ULL * 1024);
    EXPECT_EQ(available, 12342048ULL * 1024);
    EXPECT_EQ(parse_pressure("some avg10=12.50 avg60=3.00 avg300=1.00 total=12345\nfull avg10=0.00"), 12.5);
    EXPECT_FALSE(parse_pressure(""));
    DiskReport disk;
    disk.total_bytes = 1000;
    disk.available_bytes = 50;
    EXPECT_DOUBLE_EQ(disk.used_percent(), 95.0);
}

TEST(ProbeSettings, KeysAreReadAndCheckedWithTheirPlace)
{
    const auto path = std::string(::testing::TempDir()) + "/medic-probe-settings.yaml";
    auto load = [&](const std::string& text) {
        FILE* file = std::fopen(path.c_str(), "w");
        std::fputs(text.c_str(), file);
        std::fclose(file);
        cli::SettingsFlags flags;
        flags.config_file = path;
        return cli::load_settings(flags, [](const char*) { return std::optional<std::string>(); });
    };
    auto settings = load("probes: false\nprobe_threshold: 2\nprobe_start_seconds: 0\nhost_disk_percent: 80\n");
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_FALSE(settings->probes);
    EXPECT_EQ(settings->probe_threshold, 2);
    EXPECT_EQ(settings->probe_start, 0s);
    EXPECT_EQ(settings->host_disk_percent, 80);
    auto bad = load("probes: true\nhost_disk_percent: 120\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find(":2: host_disk_percent must be a whole number from 1 to 100"), std::string::npos)
        << bad.error().message;
}

} // namespace
} // namespace medic::probe
