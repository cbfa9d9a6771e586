#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "cli/ps_command.hpp"
#include "cli/settings.hpp"
#include "common/time_format.hpp"
#include "docker/event_follower.hpp"

namespace medic {
namespace {

using namespace std::chrono_literals;

cli::EnvironmentReader environment_of(std::map<std::string, std::string> values)
{
    return [values = std::move(values)](const char* name) -> std::optional<std::string> {
        auto found = values.find(name);
        return found == values.end() ? std::nullopt : std::optional(found->second);
    };
}

std::string write_file(const std::string& name, const std::string& text)
{
    auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path.string();
}

TEST(Settings, FlagsBeatEnvironmentBeatsFile)
{
    auto file = write_file("medic-settings-test.yaml", "data_dir: /from/file\nlisten: 127.0.0.1:1000\n");
    cli::SettingsFlags flags;
    flags.config_file = file;
    flags.listen = "127.0.0.1:3000";
    auto settings = cli::load_settings(
        flags, environment_of({{"MEDIC_DATA_DIR", "/from/env"}, {"MEDIC_LISTEN", "127.0.0.1:2000"}}));
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_EQ(settings->data_dir, "/from/env");
    EXPECT_EQ(settings->listen, "127.0.0.1:3000");
}

TEST(Settings, TheWatchLabelComesFromFileEnvironmentOrFlagAndABadOneIsNamed)
{
    auto file =
        write_file("medic-settings-watch-label.yaml", "watch: opt-in\nwatch_label: com.docker.compose.project=shop\n");
    cli::SettingsFlags flags;
    flags.config_file = file;
    auto from_file = cli::load_settings(flags, environment_of({}));
    ASSERT_TRUE(from_file) << from_file.error().message;
    ASSERT_TRUE(from_file->watch_label);
    EXPECT_EQ(from_file->watch_label->to_string(), "com.docker.compose.project=shop");
    auto from_environment = cli::load_settings(flags, environment_of({{"MEDIC_WATCH_LABEL", "team=ops"}}));
    ASSERT_TRUE(from_environment) << from_environment.error().message;
    EXPECT_EQ(from_environment->watch_label->to_string(), "team=ops");
    flags.watch_label = "tier";
    auto from_flag = cli::load_settings(flags, environment_of({{"MEDIC_WATCH_LABEL", "team=ops"}}));
    ASSERT_TRUE(from_flag) << from_flag.error().message;
    EXPECT_EQ(from_flag->watch_label->key, "tier");
    EXPECT_FALSE(from_flag->watch_label->value);
    EXPECT_FALSE(cli::load_settings(cli::SettingsFlags{}, environment_of({}))->watch_label) << "every container";

    auto bad = write_file("medic-settings-watch-label-bad.yaml", "listen: 127.0.0.1:9470\nwatch_label: =shop\n");
    flags = {};
    flags.config_file = bad;
    auto refused = cli::load_settings(flags, environment_of({}));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find(bad + ":2: watch_label must be KEY or KEY=VALUE"), std::string::npos)
        << refused.error().message;
    flags = {};
    flags.watch_label = "my project";
    refused = cli::load_settings(flags, environment_of({}));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("--watch-label"), std::string::npos) << refused.error().message;
}

TEST(Settings, UnknownKeyNamesFileLineAndKnownKeys)
{
    auto file = write_file("medic-settings-typo.yaml", "listen: 127.0.0.1:9470\n\ndata_dri: /srv\n");
    cli::SettingsFlags flags;
    flags.config_file = file;
    auto settings = cli::load_settings(flags, environment_of({}));
    ASSERT_FALSE(settings);
    EXPECT_NE(settings.error().message.find(file + ":3: unknown key 'data_dri'"), std::string::npos)
        << settings.error().message;
    EXPECT_NE(settings.error().message.find("data_dir"), std::string::npos);
}

TEST(Settings, BadValuesAreRefused)
{
    auto file = write_file("medic-settings-bad.yaml", "listen: [1, 2\n");
    cli::SettingsFlags flags;
    flags.config_file = file;
    EXPECT_FALSE(cli::load_settings(flags, environment_of({})));
    EXPECT_FALSE(cli::validate_listen_address("9470"));
    EXPECT_FALSE(cli::validate_listen_address("127.0.0.1:0"));
    EXPECT_FALSE(cli::validate_listen_address("127.0.0.1:http"));
    EXPECT_TRUE(cli::validate_listen_address("[::1]:9470"));
    cli::SettingsFlags missing;
    missing.config_file = "/nonexistent/medic.yaml";
    auto result = cli::load_settings(missing, environment_of({}));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("/nonexistent/medic.yaml"), std::string::npos);
}

TEST(Settings, NotificationReceiversAndLimitsAreReadAndBadOnesNamedByLine)
{
    auto file = write_file("medic-settings-notify.yaml", "notify:\n"
                                                         "  - https://hooks.slack.com/services/T0/B0/x\n"
                                                         "  - url: https://ntfy.sh/ops\n"
                                                         "    preset: ntfy\n"
                                                         "notify_on: failures\n"
                                                         "notify_container_limit: 3\n");
    cli::SettingsFlags flags;
    flags.config_file = file;
    auto settings = cli::load_settings(flags, environment_of({{"MEDIC_NOTIFY_URL", "http://127.0.0.1:8080/hook"}}));
    ASSERT_TRUE(settings) << settings.error().message;
    ASSERT_EQ(settings->notify.targets.size(), 3U);
    EXPECT_EQ(settings->notify.targets[0].preset, notify::Preset::generic);
    EXPECT_EQ(settings->notify.targets[1].url, "https://ntfy.sh/ops");
    EXPECT_EQ(settings->notify.targets[1].preset, notify::Preset::ntfy);
    EXPECT_EQ(settings->notify.targets[2].url, "http://127.0.0.1:8080/hook") << "MEDIC_NOTIFY_URL adds one";
    EXPECT_EQ(settings->notify.on, notify::NotifyOn::failures);
    EXPECT_EQ(settings->notify.container_limit, 3);

    auto bad =
        write_file("medic-settings-notify-bad.yaml", "notify:\n  - url: https://x.example/\n    preset: teams\n");
    flags.config_file = bad;
    auto refused = cli::load_settings(flags, environment_of({}));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find(bad + ":2: preset must be generic, slack, discord or ntfy, not 'teams'"),
              std::string::npos)
        << refused.error().message;
    flags.config_file = write_file("medic-settings-notify-url.yaml", "notify: [ftp://x]\n");
    EXPECT_FALSE(cli::load_settings(flags, environment_of({})));
}

TEST(TimeFormat, ParsesDockerTimestamps)
{
    auto parsed = parse_rfc3339("2024-05-01T10:00:00.123456789Z");
    ASSERT_TRUE(parsed);
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(parsed->time_since_epoch()).count();
    EXPECT_EQ(nanos, 1714557600123456789LL);
    EXPECT_EQ(parse_rfc3339("2024-05-01T12:00:00+02:00"), parse_rfc3339("2024-05-01T10:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2024-13-01T10:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("yesterday"));
    EXPECT_EQ(format_duration(45s), "45s");
    EXPECT_EQ(format_duration(192s), "3m12s");
    EXPECT_EQ(format_duration(7500s), "2h5m");
    EXPECT_EQ(format_duration(std::chrono::seconds(4 * 86400 + 3 * 3600)), "4d3h");
}

TEST(Ps, RowShowsHealthRestartsUptimeAndPorts)
{
    docker::ContainerSummary summary;
    summary.id = "0123456789abcdef";
    summary.names = {"redis"};
    summary.image = "medic-test/redis";
    summary.state = "running";
    summary.ports = {{"127.0.0.1", 6379, 16379, "tcp"}, {"127.0.0.1", 6379, 16379, "tcp"}};
    docker::ContainerDetails details;
    details.status = "running";
    details.running = true;
    details.restart_count = 2;
    details.started_at = "2024-05-01T10:00:00Z";
    details.health = docker::HealthState{"healthy", 0, {}};
    auto now = *parse_rfc3339("2024-05-01T10:03:12Z");
    auto row = cli::make_ps_row(summary, &details, now);
    EXPECT_EQ(row.health, "healthy");
    EXPECT_EQ(row.restarts, 2);
    EXPECT_EQ(row.uptime_seconds, 192);
    EXPECT_EQ(row.ports, std::vector<std::string>{"127.0.0.1:16379->6379/tcp"});
    auto table = cli::render_ps_table({row});
    EXPECT_NE(table.find("redis  medic-test/redis  running  healthy"), std::string::npos) << table;
    EXPECT_NE(table.find("3m12s"), std::string::npos) << table;
    auto without_details = cli::make_ps_row(summary, nullptr, now);
    EXPECT_EQ(without_details.health, "-");
    EXPECT_FALSE(without_details.uptime_seconds);
}

TEST(Reconnect, BackoffDoublesAndIsCapped)
{
    docker::ReconnectPolicy policy{100ms, 1000ms};
    EXPECT_EQ(docker::reconnect_delay(policy, 0), 100ms);
    EXPECT_EQ(docker::reconnect_delay(policy, 1), 200ms);
    EXPECT_EQ(docker::reconnect_delay(policy, 3), 800ms);
    EXPECT_EQ(docker::reconnect_delay(policy, 4), 1000ms);
    EXPECT_EQ(docker::reconnect_delay(policy, 1000), 1000ms);
    EXPECT_EQ(docker::to_api_time(1700000000000000042LL), "1700000000.000000042");
}

} // namespace
} // namespace medic
