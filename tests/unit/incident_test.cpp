// Incidents, their history and the label checks, with time passed in explicitly.

#include <gtest/gtest.h>

#include "incident/incident_tracker.hpp"
#include "store/store.hpp"
#include "watch/container_watcher.hpp"
#include "watch/label_check.hpp"

namespace medic {
namespace {

using classify::ErrorType;

classify::Finding finding_of(ErrorType type, std::string text, classify::Context context = {})
{
    classify::Finding finding;
    finding.type = type;
    finding.text = std::move(text);
    finding.context = std::move(context);
    return finding;
}

const incident::ContainerRef k_redis{"c0ffee", "redis"};

TEST(IncidentTracker, FindingsOfOneTypeWithinTheWindowAreOneIncident)
{
    auto store = store::Store::open(":memory:");
    incident::IncidentTracker tracker(*store, {.window = 60'000});
    tracker.on_log_line(k_redis, "starting");
    tracker.on_log_line(k_redis, "loading");
    auto first = tracker.on_finding(k_redis, finding_of(ErrorType::permission_denied, "denied", {{"path", "/data"}}),
                                    classify::Channel::log, 1'000'000, 999'990);
    tracker.on_log_line(k_redis, "denied");
    tracker.on_log_line(k_redis, "exiting");
    auto second = tracker.on_finding(k_redis, finding_of(ErrorType::permission_denied, "denied again"),
                                     classify::Channel::log, 1'030'000, 1'029'999);
    EXPECT_EQ(first.id, second.id);
    EXPECT_EQ(second.count, 2);
    auto stored = store->incident_by_id(first.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->count, 2);
    EXPECT_EQ(stored->context.at("path"), "/data");
    EXPECT_EQ(stored->message, "denied");
    EXPECT_EQ(stored->lines_before, (std::vector<std::string>{"starting", "loading"}));
    EXPECT_EQ(stored->lines_after, (std::vector<std::string>{"exiting"}));
    EXPECT_EQ(stored->first_seen - stored->signal_time, 10);

    // Another type is another incident; the same type after the window is a new episode.
    auto other = tracker.on_finding(k_redis, finding_of(ErrorType::port_conflict, "bind"), classify::Channel::log,
                                    1'031'000, 1'031'000);
    EXPECT_NE(other.id, first.id);
    auto later = tracker.on_finding(k_redis, finding_of(ErrorType::permission_denied, "denied"), classify::Channel::log,
                                    1'200'000, 1'200'000);
    EXPECT_NE(later.id, first.id);
    std::int64_t total = 0;
    EXPECT_EQ(store->findings({.page = {1, 10}}, &total).size(), 4U);
    EXPECT_EQ(total, 4);
}

TEST(IncidentTracker, RepeatedExitsAreOneCrashLoopIncident)
{
    auto store = store::Store::open(":memory:");
    incident::IncidentTracker tracker(*store, {.crash_loop_exits = 3, .crash_loop_window = 60'000});
    EXPECT_FALSE(tracker.on_exit(k_redis, 1, 1'000));
    EXPECT_FALSE(tracker.on_exit(k_redis, 1, 2'000));
    std::set<std::int64_t> ids;
    for (incident::TimeMs now = 3'000; now < 100'000; now += 1'000) {
        auto loop = tracker.on_exit(k_redis, 1, now);
        ASSERT_TRUE(loop);
        EXPECT_EQ(loop->type, ErrorType::crash_loop);
        ids.insert(loop->id);
    }
    EXPECT_EQ(ids.size(), 1U) << "one incident, however many exits";
    EXPECT_EQ(store->incidents({}).size(), 1U);
    EXPECT_EQ(store->incidents({})[0].count, 97);
    // Exits far apart are no loop.
    incident::IncidentTracker patient(*store, {.crash_loop_exits = 3, .crash_loop_window = 60'000});
    for (incident::TimeMs now = 0; now < 1'000'000; now += 120'000) {
        EXPECT_FALSE(patient.on_exit({"other", "other"}, 0, now));
    }
}

TEST(IncidentTracker, HealthyAgainResolvesOpenIncidents)
{
    auto store = store::Store::open(":memory:");
    incident::IncidentTracker tracker(*store);
    auto opened = tracker.on_finding(k_redis, finding_of(ErrorType::health_check_failed, "unhealthy"),
                                     classify::Channel::event, 5'000, 5'000);
    tracker.on_finding({"other", "other"}, finding_of(ErrorType::health_check_failed, "unhealthy"),
                       classify::Channel::event, 5'000, 5'000);
    EXPECT_TRUE(tracker.has_open_incidents(k_redis.id));
    auto resolved = tracker.on_healthy(k_redis, 9'000);
    EXPECT_FALSE(tracker.has_open_incidents(k_redis.id));
    EXPECT_TRUE(tracker.has_open_incidents("other"));
    ASSERT_EQ(resolved.size(), 1U);
    EXPECT_EQ(resolved[0].id, opened.id);
    auto stored = store->incident_by_id(opened.id);
    EXPECT_EQ(stored->state, incident::IncidentState::resolved);
    EXPECT_EQ(stored->resolved_at, 9'000);
    EXPECT_EQ(store->incidents({.open_only = true}).size(), 1U);
    EXPECT_EQ(tracker.open_incidents().size(), 1U);
}

TEST(Store, MigratesPaginatesCountsAndForgets)
{
    auto store = store::Store::open(":memory:");
    EXPECT_EQ(store->schema_version(), 4);
    incident::IncidentTracker tracker(*store);
    const incident::TimeMs hour = 3'600'000;
    const incident::TimeMs k_start = 1'699'999'200'000; // 2023-11-14T22:00:00Z, on the hour
    for (int index = 0; index < 30; ++index) {
        tracker.on_finding({"id" + std::to_string(index % 3), "c" + std::to_string(index % 3)},
                           finding_of(index % 2 == 0 ? ErrorType::port_conflict : ErrorType::stale_lock, "x"),
                           classify::Channel::log, k_start + index * hour / 10, k_start + index * hour / 10 - 20);
    }
    std::int64_t total = 0;
    auto page = store->findings({.page = {2, 7}}, &total);
    EXPECT_EQ(total, 30);
    EXPECT_EQ(page.size(), 7U);
    auto statistics = store->statistics();
    EXPECT_EQ(statistics.per_type.at("PORT_CONFLICT"), 15);
    EXPECT_EQ(statistics.per_type.at("STALE_LOCK"), 15);
    EXPECT_EQ(statistics.per_container.at("c1"), 10);
    EXPECT_EQ(statistics.per_hour.size(), 3U);
    EXPECT_DOUBLE_EQ(statistics.mean_time_to_detect_ms, 20.0);
    // Each container and type saw a finding every 36 minutes: every one is a new
    // episode, and the one before it was resolved by the quiet window.
    EXPECT_EQ(store->incidents({.container = std::string("c2")}).size(), 10U);
    EXPECT_EQ(store->incidents({}).size(), 30U);
    EXPECT_EQ(store->incidents({.open_only = true}).size(), 6U);

    store->apply_retention({.max_age_ms = hour, .max_findings = 5, .max_events = 5}, k_start + 3 * hour);
    EXPECT_EQ(store->findings({.page = {1, 100}}).size(), 5U);
    EXPECT_EQ(store->incidents({}).size(), 10U) << "resolved incidents older than an hour are forgotten";
    EXPECT_EQ(store->incidents({.open_only = true}).size(), 6U) << "open incidents are never forgotten";
}

TEST(Store, UnwritableDatabaseDegradesToMemoryAndKeepsWorking)
{
    auto store = store::Store::open("/proc/medic-cannot-write-here/medic.db");
    EXPECT_TRUE(store->degraded());
    EXPECT_NE(store->degraded_reason().find("/proc/medic-cannot-write-here/medic.db"), std::string::npos);
    incident::IncidentTracker tracker(*store);
    tracker.on_finding(k_redis, finding_of(ErrorType::stale_lock, "lock"), classify::Channel::log, 1, 1);
    EXPECT_EQ(store->incidents({}).size(), 1U);
}

TEST(Labels, UnknownLabelsAndBadValuesAreReported)
{
    auto problems = watch::check_labels({{"medic.enabled", "true"},
                                         {"medic.max-attempts", "lots"},
                                         {"medic.priority", "low"},
                                         {"medic.probe.interval", "30s"},
                                         {"com.docker.compose.service", "web"},
                                         {"medic.enable", "yes"}});
    ASSERT_EQ(problems.size(), 3U);
    EXPECT_NE(problems[0].message.find("true or false"), std::string::npos) << problems[0].message;
    EXPECT_NE(problems[1].message.find("did you mean 'medic.enable'"), std::string::npos) << problems[1].message;
    EXPECT_NE(problems[2].message.find("whole number"), std::string::npos) << problems[2].message;
}

TEST(Labels, WhoIsWatched)
{
    using watch::WatchMode;
    EXPECT_TRUE(watch::is_watched({}, WatchMode::all));
    EXPECT_FALSE(watch::is_watched({}, WatchMode::opt_in));
    EXPECT_FALSE(watch::is_watched({{"medic.enable", "false"}}, WatchMode::all));
    EXPECT_TRUE(watch::is_watched({{"medic.enable", "true"}}, WatchMode::opt_in));
    EXPECT_TRUE(watch::is_watched({{"medic.enable", "maybe"}}, WatchMode::all)) << "a typo must not stop watching";
}

TEST(Labels, AWatchLabelNarrowsWhoIsWatched)
{
    using watch::WatchMode;
    const auto project = docker::parse_label_selector("com.docker.compose.project=shop");
    ASSERT_TRUE(project);
    EXPECT_EQ(project->key, "com.docker.compose.project");
    EXPECT_EQ(project->value, "shop");
    EXPECT_EQ(project->to_string(), "com.docker.compose.project=shop");
    const docker::Labels shop{{"com.docker.compose.project", "shop"}};
    const docker::Labels blog{{"com.docker.compose.project", "blog"}};
    EXPECT_TRUE(watch::is_watched(shop, WatchMode::all, project));
    EXPECT_FALSE(watch::is_watched(blog, WatchMode::all, project));
    EXPECT_FALSE(watch::is_watched({}, WatchMode::all, project));
    EXPECT_FALSE(
        watch::is_watched({{"com.docker.compose.project", "shop"}, {"medic.enable", "false"}}, WatchMode::all, project))
        << "the label narrows, it never overrides an opt-out";
    EXPECT_FALSE(watch::is_watched(shop, WatchMode::opt_in, project)) << "opt-in still wants medic.enable=true";

    // A key alone: any value, the empty one too; a value may hold '='.
    const auto any_value = docker::parse_label_selector("team");
    ASSERT_TRUE(any_value);
    EXPECT_FALSE(any_value->value);
    EXPECT_TRUE(watch::is_watched({{"team", ""}}, WatchMode::all, any_value));
    EXPECT_FALSE(watch::is_watched({{"teams", "x"}}, WatchMode::all, any_value));
    const auto with_equals = docker::parse_label_selector("query=a=b");
    ASSERT_TRUE(with_equals);
    EXPECT_EQ(with_equals->value, "a=b");
    EXPECT_TRUE(docker::parse_label_selector("empty=")->value == std::string());

    EXPECT_FALSE(docker::parse_label_selector(""));
    EXPECT_FALSE(docker::parse_label_selector("=shop"));
    EXPECT_FALSE(docker::parse_label_selector("my project=shop"));
}

TEST(Events, RenderedLikeTheDockerCli)
{
    docker::Event event;
    event.type = "container";
    event.action = "health_status: unhealthy";
    event.actor_id = "9c8c";
    event.attributes = {{"name", "web"}, {"image", "medic-test/web"}, {"com.example", "x"}};
    event.time_nano = 1'586'161'617'476'218'502;
    EXPECT_EQ(
        watch::describe_event(event),
        "2020-04-06T08:26:57.476218502Z container health_status: unhealthy 9c8c (image=medic-test/web, name=web)");
}

} // namespace
} // namespace medic
