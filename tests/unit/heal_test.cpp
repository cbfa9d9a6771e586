// The healing engine's pure parts: limits on a fake clock, policy from labels,
// playbooks as data, replacement configurations, profiles, the action table.

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/settings.hpp"
#include "docker/json_codec.hpp"
#include "heal/action_registry.hpp"
#include "heal/actions/action_support.hpp"
#include "heal/container_config.hpp"
#include "heal/container_state.hpp"
#include "heal/heal_limits.hpp"
#include "heal/heal_policy.hpp"
#include "heal/playbook.hpp"
#include "heal/profile.hpp"
#include "heal/quarantine.hpp"
#include "store/store.hpp"
#include "watch/self_container.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

constexpr TimeMs k_second = 1000;
constexpr TimeMs k_minute = 60 * k_second;

TEST(HealPolicy, ContainersReachedThroughAnotherAreActedOnOnlyWhenTheyMayBeWatched)
{
    docker::ContainerDetails database;
    database.id = "db1";
    HealOptions options;
    EXPECT_TRUE(may_act_on(database, options)) << "watch: all";
    database.labels = {{"medic.enable", "false"}};
    EXPECT_FALSE(may_act_on(database, options)) << "opted out";
    options.opt_in = true;
    database.labels = {};
    EXPECT_FALSE(may_act_on(database, options)) << "opt-in without medic.enable=true";
    database.labels = {{"medic.enable", "true"}};
    EXPECT_TRUE(may_act_on(database, options));
    database.labels = {{"medic.enable", "true"}, {"medic.helper", "true"}};
    EXPECT_FALSE(may_act_on(database, options)) << "medic's own helper";

    // watch_label: a dependency or dependent of another project is never touched.
    options = {};
    options.only = docker::LabelSelector{"com.docker.compose.project", "shop"};
    database.labels = {{"com.docker.compose.project", "blog"}};
    EXPECT_FALSE(may_act_on(database, options)) << "another project's";
    database.labels = {};
    EXPECT_FALSE(may_act_on(database, options)) << "no project at all";
    database.labels = {{"com.docker.compose.project", "shop"}};
    EXPECT_TRUE(may_act_on(database, options));
    database.labels = {{"com.docker.compose.project", "shop"}, {"medic.enable", "false"}};
    EXPECT_FALSE(may_act_on(database, options)) << "the label narrows, it never overrides an opt-out";
}

TEST(HealLimits, FirstPlaybookRunsAtOnceThenTheBackoffDoublesUpToItsCap)
{
    HealLimits limits;
    TimeMs now = 1'000'000;
    EXPECT_EQ(limits.backoff("cache", now), 0);
    const std::vector<TimeMs> expected{10 * k_second,  20 * k_second,  40 * k_second, 80 * k_second,
                                       160 * k_second, 300 * k_second, 300 * k_second};
    for (auto delay : expected) {
        limits.playbook_started("cache", now);
        limits.playbook_finished("cache", true, now + k_second);
        now += 2 * k_second;
        EXPECT_EQ(limits.backoff("cache", now), delay);
        EXPECT_EQ(limits.next_playbook_at("cache", now), now - k_second + delay);
    }
    EXPECT_EQ(limits.backoff("other", now), 0) << "per container";
}

TEST(HealLimits, TenQuietMinutesResetTheBackoff)
{
    HealLimits limits;
    limits.playbook_started("cache", 0);
    limits.playbook_finished("cache", true, k_second);
    limits.playbook_started("cache", 20 * k_second);
    limits.playbook_finished("cache", true, 21 * k_second);
    EXPECT_EQ(limits.backoff("cache", 22 * k_second), 20 * k_second);
    EXPECT_EQ(limits.backoff("cache", 21 * k_second + 10 * k_minute), 0);
    limits.playbook_started("cache", 21 * k_second + 10 * k_minute);
    limits.playbook_finished("cache", true, 22 * k_second + 10 * k_minute);
    EXPECT_EQ(limits.backoff("cache", 23 * k_second + 10 * k_minute), 10 * k_second) << "the streak started over";
}

TEST(HealLimits, TheBreakerOpensAfterThreeFailedPlaybooksInAnHourAndClosesWhenTheyAge)
{
    HealLimits limits;
    for (int failure = 0; failure < 3; ++failure) {
        EXPECT_FALSE(limits.circuit_open("db", failure * k_minute));
        limits.playbook_started("db", failure * k_minute);
        limits.playbook_finished("db", false, failure * k_minute + k_second);
    }
    EXPECT_TRUE(limits.circuit_open("db", 3 * k_minute));
    EXPECT_TRUE(limits.circuit_open("db", 60 * k_minute));
    EXPECT_FALSE(limits.circuit_open("db", 62 * k_minute)) << "the first failure left the window";
    limits.reset("db");
    EXPECT_FALSE(limits.circuit_open("db", 3 * k_minute)) << "a person reset it";
}

TEST(HealLimits, HostWideCapsOnConcurrentActionsAndActionsPerMinute)
{
    LimitOptions options;
    options.max_concurrent_actions = 2;
    options.max_actions_per_minute = 3;
    HealLimits limits(options);
    EXPECT_TRUE(limits.try_begin_action(0));
    EXPECT_TRUE(limits.try_begin_action(0));
    EXPECT_FALSE(limits.try_begin_action(0)) << "two at once";
    limits.end_action();
    EXPECT_TRUE(limits.try_begin_action(k_second));
    limits.end_action();
    limits.end_action();
    EXPECT_FALSE(limits.try_begin_action(2 * k_second)) << "three in this minute";
    EXPECT_TRUE(limits.try_begin_action(61 * k_second));
}

TEST(HealPolicy, DestructiveAndHostActionsAreOffUnlessEnabled)
{
    const HostPolicy host;
    const auto policy = policy_from_labels({}, host);
    EXPECT_EQ(permits(policy, host, "restart_container", Safety::safe), Permission::allowed);
    EXPECT_EQ(permits(policy, host, "recreate_container", Safety::disruptive), Permission::allowed);
    EXPECT_EQ(permits(policy, host, "reset_redis_data", Safety::destructive), Permission::class_disabled);
    EXPECT_EQ(permits(policy, host, "restart_docker_daemon", Safety::host), Permission::class_disabled);
    HostPolicy enabled;
    enabled.allow_destructive = true;
    EXPECT_EQ(permits(policy, enabled, "reset_redis_data", Safety::destructive), Permission::allowed);
    EXPECT_NE(explain(Permission::class_disabled, "reset_redis_data", Safety::destructive).find("allow_destructive"),
              std::string::npos);
}

TEST(HealPolicy, LabelsAllowDenyAndTuneOneContainer)
{
    const HostPolicy host;
    const auto policy = policy_from_labels({{"medic.actions.allow", "restart_container, reset_redis_data"},
                                            {"medic.actions.deny", "restart_container"},
                                            {"medic.max-attempts", "2"},
                                            {"medic.priority", "low"},
                                            {"medic.dry-run", "true"},
                                            {"medic.depends-on", "db,cache"}},
                                           host);
    EXPECT_EQ(permits(policy, host, "restart_container", Safety::safe), Permission::denied_by_label) << "deny wins";
    EXPECT_EQ(permits(policy, host, "reset_redis_data", Safety::destructive), Permission::allowed)
        << "listing a destructive action enables it for this container";
    EXPECT_EQ(permits(policy, host, "recreate_container", Safety::disruptive), Permission::not_in_allow_list);
    EXPECT_EQ(policy.max_attempts, 2);
    EXPECT_EQ(policy.priority, Priority::low);
    EXPECT_TRUE(policy.dry_run);
    EXPECT_EQ(policy.depends_on, (std::vector<std::string>{"db", "cache"}));
    EXPECT_FALSE(policy_from_labels({{"medic.max-attempts", "lots"}}, host).max_attempts) << "a bad value is ignored";
}

TEST(Playbooks, TheBuiltInPlaybooksLoadAndCoverEveryErrorType)
{
    auto catalog = PlaybookCatalog::load_embedded();
    ASSERT_TRUE(catalog) << catalog.error().message;
    for (std::size_t index = 0; index < classify::k_error_type_count; ++index) {
        const auto type = static_cast<ErrorType>(index);
        const auto* playbook = catalog->find(type, Profile::generic, "");
        ASSERT_NE(playbook, nullptr) << classify::to_string(type) << " has no playbook";
        EXPECT_FALSE(playbook->advice.empty());
        EXPECT_GE(playbook->attempts, 1);
    }
}

TEST(Playbooks, TheMostSpecificPlaybookWinsRuleThenProfileThenType)
{
    auto catalog = PlaybookCatalog::load_embedded();
    ASSERT_TRUE(catalog);
    auto first_action = [&](ErrorType type, Profile profile, const std::string& rule) {
        const auto* playbook = catalog->find(type, profile, rule);
        return playbook && !playbook->steps.empty() ? std::string(playbook->steps.front().action->name()) : "";
    };
    EXPECT_EQ(first_action(ErrorType::permission_denied, Profile::redis, ""), "fix_redis_permissions");
    EXPECT_EQ(first_action(ErrorType::permission_denied, Profile::postgres, ""), "fix_postgres_permissions");
    EXPECT_EQ(first_action(ErrorType::permission_denied, Profile::generic, ""), "fix_volume_permissions");
    EXPECT_EQ(first_action(ErrorType::data_corruption, Profile::redis, "redis-aof-truncated"), "repair_redis_aof");
    EXPECT_EQ(first_action(ErrorType::data_corruption, Profile::redis, "redis-rdb-invalid"), "quarantine_redis_rdb");
    EXPECT_EQ(first_action(ErrorType::data_corruption, Profile::postgres, "postgres-page-or-wal-corruption"), "")
        << "no automatic database surgery";
    EXPECT_EQ(first_action(ErrorType::health_check_failed, Profile::generic, ""), "restart_container");
}

TEST(Playbooks, MistakesAreRejectedWithTheFileAndLine)
{
    auto load = [](const std::string& text) {
        const std::vector<classify::RuleSource> sources{{"mine.yaml", text}};
        return PlaybookCatalog::load(sources);
    };
    auto unknown_action = load("playbooks:\n  - type: CRASH_LOOP\n    advice: x\n    steps:\n      - action: reboot\n");
    ASSERT_FALSE(unknown_action);
    EXPECT_NE(unknown_action.error().message.find("mine.yaml:5: unknown action 'reboot'"), std::string::npos)
        << unknown_action.error().message;
    EXPECT_NE(unknown_action.error().message.find("restart_container"), std::string::npos) << "lists the known";
    auto slow = load("playbooks:\n  - type: CRASH_LOOP\n    advice: x\n    steps:\n      - {action: "
                     "restart_container, delay: 30s}\n");
    ASSERT_FALSE(slow);
    EXPECT_NE(slow.error().message.find("at most 10s"), std::string::npos) << slow.error().message;
    auto typo = load("playbooks:\n  - type: CRASH_LOOP\n    advise: x\n");
    ASSERT_FALSE(typo);
    EXPECT_NE(typo.error().message.find("mine.yaml:3: unknown playbook key 'advise'"), std::string::npos)
        << typo.error().message;
    EXPECT_FALSE(load("playbooks:\n  - type: CRASH_LOOPS\n    advice: x\n"));
    EXPECT_FALSE(load("playbooks:\n  - type: CRASH_LOOP\n    advice: x\n    attempts: 40\n"));
    EXPECT_FALSE(load("playbooks:\n  - type: CRASH_LOOP\n")) << "advice is required";
}

TEST(ActionRegistry, EighteenActionsEachOnceWithASafetyClassAndASummary)
{
    std::set<std::string_view> names;
    for (const auto* action : all_actions()) {
        EXPECT_TRUE(names.insert(action->name()).second) << "duplicate " << action->name();
        EXPECT_EQ(find_action(action->name()), action);
        EXPECT_FALSE(action->summary().empty());
    }
    EXPECT_EQ(names.size(), 18U);
    EXPECT_EQ(find_action("rm_rf"), nullptr);
    EXPECT_EQ(find_action("reset_redis_data")->safety(), Safety::destructive);
    EXPECT_EQ(find_action("restart_docker_daemon")->safety(), Safety::host);
    EXPECT_EQ(find_action("stop_port_holder")->safety(), Safety::host);
    EXPECT_EQ(find_action("restart_container")->safety(), Safety::safe);
}

TEST(ActionRegistry, TheReadmeDescribesEveryActionAndEveryPlaybookFileIsValid)
{
    std::ifstream file(std::string(MEDIC_SOURCE_DIR) + "/README.md");
    const std::string readme((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(readme.empty());
    for (const auto* action : all_actions()) {
        EXPECT_NE(readme.find(fmt::format("| `{}` | {} |", action->name(), to_string(action->safety()))),
                  std::string::npos)
            << action->name() << " is missing from the README's table of actions, or its class differs";
    }
}

/// An inspect answer read the way the client reads one.
docker::ContainerDetails inspected(nlohmann::json raw)
{
    auto details = docker::parse_container_details(raw.dump());
    EXPECT_TRUE(details) << details.error().message;
    return details ? std::move(*details) : docker::ContainerDetails{};
}

TEST(ContainerConfig, AReplacementKeepsTheConfigurationAndCarriesAnonymousVolumesOver)
{
    const std::string id(64, 'a');
    const std::string anonymous(64, 'b');
    auto container = inspected({
        {"Id", id},
        {"Config", {{"Image", "redis:7"}, {"Hostname", id.substr(0, 12)}, {"Env", {"A=1"}}}},
        {"HostConfig",
         {{"Binds", {"named:/data"}},
          {"NetworkMode", "app_default"},
          {"PortBindings", {{"6379/tcp", {{{"HostIp", "127.0.0.1"}, {"HostPort", "6379"}}}}}}}},
        {"Mounts",
         {{{"Type", "volume"}, {"Name", "named"}, {"Destination", "/data"}, {"RW", true}},
          {{"Type", "volume"}, {"Name", anonymous}, {"Destination", "/cache"}, {"RW", true}}}},
        {"NetworkSettings",
         {{"Networks",
           {{"app_default", {{"Aliases", {"cache", id.substr(0, 12)}}}}, {"monitoring", nlohmann::json::object()}}}}},
    });
    ReplacementChanges changes;
    changes.host_ports["6379/tcp"] = 6380;
    auto replacement = replacement_for(container, changes);
    ASSERT_TRUE(replacement) << replacement.error().message;
    const auto body = nlohmann::json::parse(replacement->body);
    EXPECT_EQ(body["Image"], "redis:7");
    EXPECT_FALSE(body.contains("Hostname")) << "a generated hostname is not copied";
    EXPECT_EQ(body["HostConfig"]["Binds"], (nlohmann::json{"named:/data", anonymous + ":/cache"}));
    EXPECT_EQ(body["HostConfig"]["PortBindings"]["6379/tcp"][0]["HostPort"], "6380");
    EXPECT_EQ(body["NetworkingConfig"]["EndpointsConfig"]["app_default"]["Aliases"], (nlohmann::json{"cache"}));
    EXPECT_EQ(replacement->extra_networks, (std::vector<std::string>{"monitoring"}));

    const auto& ports = container.port_requests;
    ASSERT_EQ(ports.size(), 1U) << "the requested host ports are read with the inspect";
    EXPECT_EQ(ports.front().host_port, 6379);
    EXPECT_EQ(ports.front().container_port, 6379);
    EXPECT_EQ(ports.front().protocol, "tcp");
    EXPECT_FALSE(replacement_for(inspected({{"Id", id}})));
}

TEST(ContainerConfig, BindSourcesAreKnownFromTheConfigurationEvenBeforeAStart)
{
    auto container = inspected({{"HostConfig",
                                 {{"Binds", {"/srv/a:/a:ro", "volume:/v"}},
                                  {"Mounts", {{{"Type", "bind"}, {"Source", "/srv/b"}, {"Target", "/b"}}}}}}});
    EXPECT_EQ(configured_bind_sources(container), (std::vector<std::string>{"/srv/a", "/srv/b"}));
    EXPECT_EQ(container.strict_bind_sources, (std::vector<std::string>{"/srv/b"})) << "--mount sources must exist";
}

TEST(ContainerState, DownSinceMeansItHasNotRunSinceMedicStoppedIt)
{
    // medic stopped it at 22:10:11 after giving up; a stray incident of the same loop must not start it again.
    const auto stopped_at = engine_time_millis("2026-12-07T22:10:11Z");
    ASSERT_GT(stopped_at, 0);
    docker::ContainerDetails container;
    container.started_at = "2026-12-07T22:10:10.585141538Z";
    container.finished_at = "2026-12-07T22:10:10.750000000Z";
    EXPECT_TRUE(down_since(container, stopped_at));

    auto restarting = container;
    restarting.restarting = true;
    EXPECT_FALSE(down_since(restarting, stopped_at)) << "its restart policy runs it";
    auto running = container;
    running.running = true;
    EXPECT_FALSE(down_since(running, stopped_at));
    auto started_again = container; // a person started it, and it failed again: heal it
    started_again.started_at = "2026-12-07T22:15:00Z";
    started_again.finished_at = "2026-12-07T22:15:01Z";
    EXPECT_FALSE(down_since(started_again, stopped_at));

    auto never_started = container; // Docker's zero time: a container created, never run
    never_started.started_at = never_started.finished_at = "0001-01-01T00:00:00Z";
    EXPECT_EQ(engine_time_millis(never_started.started_at), 0);
    EXPECT_TRUE(down_since(never_started, stopped_at));
    EXPECT_EQ(engine_time_millis("yesterday"), 0);
}

TEST(Profiles, ChosenFromTheLabelThenTheImageThenThePorts)
{
    docker::ContainerDetails container;
    container.image = "registry.example:5000/library/redis:7.2";
    EXPECT_EQ(detect_profile(container), Profile::redis);
    container.image = "postgres:16-alpine";
    EXPECT_EQ(detect_profile(container), Profile::postgres);
    container.labels["medic.profile"] = "sysreptor";
    EXPECT_EQ(detect_profile(container), Profile::sysreptor);
    docker::ContainerDetails unknown;
    unknown.image = "my/cache";
    unknown.ports = {docker::PortMapping{"127.0.0.1", 6379, 16379, "tcp"}};
    EXPECT_EQ(detect_profile(unknown), Profile::redis);
    unknown.ports.clear();
    EXPECT_EQ(detect_profile(unknown), Profile::generic);
    EXPECT_EQ(traits_of(Profile::postgres).ports.first, 5433);
    EXPECT_EQ(traits_of(Profile::redis).ports.last, 6390);
}

TEST(Quarantine, FoldersAreNamedByTimeAndIncident)
{
    EXPECT_EQ(quarantine_stamp(1'795'850'100'000, 42), "20261128T071500Z-incident-42");
}

TEST(Journal, ActionsLeftRunningByACrashAreMarkedInterrupted)
{
    auto store = store::Store::open(":memory:");
    store::ActionRecord action;
    action.incident_id = 7;
    action.container_name = "cache";
    action.action = "fix_redis_permissions";
    action.safety = "safe";
    action.state = store::ActionState::running;
    action.started_at = 1'000;
    action.id = store->insert_action(action);
    action.state = store::ActionState::succeeded;
    action.ended_at = 2'000;
    store->insert_action(action);

    const auto interrupted = store->interrupt_running_actions(5'000);
    ASSERT_EQ(interrupted.size(), 1U);
    EXPECT_EQ(interrupted.front().id, action.id);
    std::int64_t total = 0;
    const auto journal = store->actions(7, store::Page{1, 10}, &total);
    EXPECT_EQ(total, 2);
    std::size_t marked = 0;
    for (const auto& row : journal) {
        marked += row.state == store::ActionState::interrupted && row.ended_at == 5'000 ? 1 : 0;
    }
    EXPECT_EQ(marked, 1U);
    EXPECT_TRUE(store->interrupt_running_actions(6'000).empty()) << "once";
    EXPECT_TRUE(store->actions(8, store::Page{}).empty());

    store::QuarantineRecord record;
    record.container_name = "cache";
    record.root = "/data";
    record.directory = "20261128T071500Z-incident-7";
    record.items = "7\t/data/dump.rdb\t10\tabc\n";
    record.id = store->insert_quarantine(record);
    store->mark_restored(record.id, 9'000);
    EXPECT_EQ(store->quarantine_by_id(record.id)->restored_at, 9'000);
    EXPECT_EQ(store->quarantines().size(), 1U);
}

TEST(SelfContainer, MedicFindsItsOwnContainerIdSoItNeverHealsItself)
{
    const std::string id = "4f2c1b8e9d0a7c6b5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d";
    const std::string mountinfo = "1510 1490 0:120 / / rw,relatime - overlay overlay rw\n"
                                  "1523 1510 259:1 /var/lib/docker/containers/" +
                                  id + "/hostname /etc/hostname rw,relatime - ext4 /dev/nvme0n1p1 rw\n";
    EXPECT_EQ(watch::container_id_from_proc(mountinfo, ""), id);
    EXPECT_EQ(watch::container_id_from_proc("", "12:pids:/docker/" + id + "\n"), id) << "cgroup v1";
    EXPECT_EQ(watch::container_id_from_proc("1 0 0:1 / / rw - ext4 /dev/sda1 rw\n", "0::/init.scope\n"), "")
        << "on the host";
    EXPECT_EQ(watch::container_id_from_proc("/containers/short/hostname", ""), "");
}

TEST(HealSettings, TheConfigFileSetsHealingAndRejectsAShellStringCommand)
{
    const auto path = (std::filesystem::temp_directory_path() / "medic-heal-settings.yaml").string();
    std::ofstream(path) << "dry_run: true\nallow_destructive: true\nport_range_redis: 7000-7010\nsettle_seconds: 5\n"
                           "daemon_restart_command: [systemctl, restart, docker.service]\n";
    cli::SettingsFlags flags;
    flags.config_file = path;
    auto settings = cli::load_settings(flags, [](const char*) { return std::optional<std::string>(); });
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_TRUE(settings->heal.policy.dry_run);
    EXPECT_TRUE(settings->heal.policy.allow_destructive);
    EXPECT_FALSE(settings->heal.policy.allow_host);
    EXPECT_EQ(settings->heal.port_range(Profile::redis).first, 7000);
    EXPECT_EQ(settings->heal.settle, std::chrono::seconds(5));
    EXPECT_EQ(settings->heal.daemon_restart_command.back(), "docker.service");

    std::ofstream(path) << "daemon_restart_command: systemctl restart docker\n";
    auto shell = cli::load_settings(flags, [](const char*) { return std::optional<std::string>(); });
    ASSERT_FALSE(shell);
    EXPECT_NE(shell.error().message.find("medic-heal-settings.yaml:1: daemon_restart_command must be a list"),
              std::string::npos)
        << shell.error().message;
    std::ofstream(path) << "port_range_redis: 7010-7000\n";
    EXPECT_FALSE(cli::load_settings(flags, [](const char*) { return std::optional<std::string>(); }));
}

} // namespace
} // namespace medic::heal
