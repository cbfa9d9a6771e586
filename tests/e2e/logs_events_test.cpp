// Following a real container's logs and the engine's events.

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "docker/log_stream.hpp"
#include "engine_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;

using LogsEventsTest = EngineTest;

struct ReceivedLine {
    docker::LogLine line;
    std::chrono::system_clock::time_point received;
};

/// Reads a followed log stream until `count` lines arrived or `deadline` passed.
boost::asio::awaitable<std::vector<ReceivedLine>> read_lines(docker::LogStream& stream, std::size_t count,
                                                             std::chrono::milliseconds deadline)
{
    std::vector<ReceivedLine> lines;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (lines.size() < count) {
        auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (remaining.count() <= 0) {
            break;
        }
        auto line = co_await stream.next(remaining);
        if (!line || !*line) {
            break;
        }
        lines.push_back({std::move(**line), std::chrono::system_clock::now()});
    }
    co_return lines;
}

TEST_F(LogsEventsTest, FollowedLineArrivesWithin200Milliseconds)
{
    // The container writes a line every 100 ms; the daemon stamps each one as it
    // receives it, and the same host clock stamps it again when medic reads it.
    const auto name = unique_name("follow");
    start(name, tools({"sh", "-c",
                       "i=0; while [ $i -lt 30 ]; do echo line-$i; echo err-$i >&2; i=$((i+1)); "
                       "sleep 0.1; done; sleep 300"}));
    docker::LogOptions options;
    options.follow = true;
    options.timestamps = true;
    options.tail = "0";
    auto stream = run(m_client->open_logs(name, options));
    ASSERT_TRUE(stream) << stream.error().message;
    auto lines = run(read_lines(**stream, 20, 10s));
    ASSERT_EQ(lines.size(), 20U);
    std::chrono::milliseconds worst{0};
    int previous = -1;
    for (const auto& [line, received] : lines) {
        auto written = parse_rfc3339(line.timestamp);
        ASSERT_TRUE(written) << line.timestamp;
        worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(received - *written));
        const bool is_error = line.text.starts_with("err-");
        EXPECT_EQ(line.stream, is_error ? docker::OutputStream::stderr_stream : docker::OutputStream::stdout_stream)
            << line.text;
        if (!is_error) {
            const int number = std::stoi(line.text.substr(5));
            if (previous >= 0) { // tail=0: lines written before the stream opened are not shown
                EXPECT_EQ(number, previous + 1) << "stdout lines arrive in order, none skipped";
            }
            previous = number;
        }
    }
    std::cout << "[ measure  ] worst delay from the daemon's timestamp to medic: " << worst.count() << " ms\n";
    EXPECT_LE(worst, 200ms);
    (*stream)->close();
}

TEST_F(LogsEventsTest, LogsOfATtyContainerAreRawAndEndWhenItStops)
{
    const auto name = unique_name("tty");
    auto spec = tools({"sh", "-c", "echo first; echo second"});
    spec.tty = true;
    start(name, spec);
    ASSERT_TRUE(run(m_client->wait_container(name)));
    docker::LogOptions options;
    options.follow = true;
    auto stream = run(m_client->open_logs(name, options));
    ASSERT_TRUE(stream) << stream.error().message;
    auto lines = run(read_lines(**stream, 10, 10s));
    ASSERT_EQ(lines.size(), 2U); // the stream ended by itself: the container is not running
    EXPECT_EQ(lines[0].line.text, "first");
    EXPECT_EQ(lines[1].line.text, "second");
}

TEST_F(LogsEventsTest, LogsSinceAndTail)
{
    const auto name = unique_name("tail");
    start(name, tools({"sh", "-c", "for i in 1 2 3 4 5; do echo n$i; done"}));
    ASSERT_TRUE(run(m_client->wait_container(name)));
    docker::LogOptions options;
    options.tail = "2";
    auto stream = run(m_client->open_logs(name, options));
    ASSERT_TRUE(stream);
    auto lines = run(read_lines(**stream, 10, 10s));
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0].line.text, "n4");
    EXPECT_EQ(lines[1].line.text, "n5");
    options.tail = "all";
    options.since = "4102444800"; // 2100-01-01: nothing is that new
    auto future = run(m_client->open_logs(name, options));
    ASSERT_TRUE(future);
    EXPECT_TRUE(run(read_lines(**future, 10, 10s)).empty());
}

TEST_F(LogsEventsTest, StartDieOomAndHealthEventsAreSeen)
{
    docker::EventOptions options;
    options.filters["type"] = {"container"};
    options.filters["label"] = {"medic.e2e.run=" + m_run_label};
    follow_events(options);

    const auto exits = unique_name("exits");
    start(exits, tools({"sh", "-c", "exit 3"}));
    auto died =
        wait_for_event([&](const auto& event) { return event.action == "die" && event.actor_name() == exits; }, 15s);
    ASSERT_TRUE(died);
    EXPECT_EQ(died->exit_code(), 3);
    EXPECT_TRUE(
        wait_for_event([&](const auto& event) { return event.action == "start" && event.actor_name() == exits; }, 1s));

    // A memory hog under an 8 MiB limit: tail keeps the newline-free stream in memory.
    const auto hog = unique_name("oom");
    auto hog_spec = tools({"sh", "-c", "head -c 200m /dev/zero | tail"});
    hog_spec.memory_bytes = 8 << 20;
    start(hog, hog_spec);
    EXPECT_TRUE(
        wait_for_event([&](const auto& event) { return event.action == "oom" && event.actor_name() == hog; }, 30s));
    ASSERT_TRUE(run(m_client->wait_container(hog)));
    // State.OOMKilled comes from containerd's OOM event, which the daemon applies apart from
    // the exit: once, with a build running beside the suite, the exit was there without the
    // flag right after the "oom" event. So the flag is read until it shows, for a while.
    EXPECT_TRUE(wait_until(
        [&] {
            auto details = run(m_client->inspect_container(hog));
            return details && details->oom_killed;
        },
        10s));

    const auto sick = unique_name("unhealthy");
    auto sick_spec = tools({"sleep", "300"});
    sick_spec.healthcheck = docker::HealthcheckSpec{{"CMD", "false"}, 200'000'000, 1'000'000'000, 0, 1};
    start(sick, sick_spec);
    auto unhealthy = wait_for_event(
        [&](const auto& event) { return event.action == "health_status: unhealthy" && event.actor_name() == sick; },
        30s);
    ASSERT_TRUE(unhealthy);
    auto sick_details = run(m_client->inspect_container(sick));
    ASSERT_TRUE(sick_details && sick_details->health);
    EXPECT_EQ(sick_details->health->status, "unhealthy");

    const auto well = unique_name("healthy");
    auto well_spec = tools({"sleep", "300"});
    // A generous timeout: on an engine busy with other shards, an exec of `true` that takes
    // over a second would be a failed check, and the container would never turn healthy.
    well_spec.healthcheck = docker::HealthcheckSpec{{"CMD", "true"}, 200'000'000, 10'000'000'000, 0, 1};
    start(well, well_spec);
    EXPECT_TRUE(wait_for_event(
        [&](const auto& event) { return event.action == "health_status: healthy" && event.actor_name() == well; },
        30s));
}

} // namespace
} // namespace medic::e2e
