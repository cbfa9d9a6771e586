// The Docker client against a daemon that misbehaves: every fault must come back as
// a clear error value, never a crash, a hang or unbounded memory.

#include <poll.h>

#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/daemon_connection.hpp"
#include "docker/client.hpp"
#include "docker/event_follower.hpp"
#include "docker/log_stream.hpp"
#include "fake_daemon.hpp"

namespace medic::docker {
namespace {

using namespace std::chrono_literals;
using testing::FakeDaemon;

std::string json_response(unsigned status, std::string_view body)
{
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
}

constexpr std::string_view k_small_inspect =
    R"({"Id":"c1","Name":"/c1","Config":{"Tty":false},"State":{"Status":"running"}})";

/// Answers the inspect that open_logs makes first, and hands log requests to `logs`.
FakeDaemon::Script with_inspect(std::function<void(int)> logs)
{
    return [logs = std::move(logs)](int socket, const std::string& request, const std::atomic<bool>&) {
        if (request.find("/logs?") != std::string::npos) {
            logs(socket);
        } else {
            FakeDaemon::write_all(socket, json_response(200, k_small_inspect));
        }
    };
}

struct Harness {
    boost::asio::io_context io;
    std::unique_ptr<DockerClient> client;

    explicit Harness(const FakeDaemon& daemon, ClientOptions options = {})
    {
        auto endpoint = parse_endpoint(daemon.url(), DockerEnvironment{});
        client = std::move(*DockerClient::create(io.get_executor(), *endpoint, options));
    }

    template <typename T>
    T run(boost::asio::awaitable<T> task)
    {
        return cli::run_blocking(io, std::move(task));
    }

    /// Reads every line of a log stream until it ends or fails.
    boost::asio::awaitable<std::pair<std::vector<LogLine>, std::optional<Error>>> read_logs(LogOptions options)
    {
        std::vector<LogLine> lines;
        auto stream = co_await client->open_logs("c1", options);
        if (!stream) {
            co_return std::pair{lines, std::optional(stream.error())};
        }
        for (;;) {
            auto line = co_await (*stream)->next(5s);
            if (!line) {
                co_return std::pair{lines, std::optional(line.error())};
            }
            if (!*line) {
                co_return std::pair{lines, std::optional<Error>{}};
            }
            lines.push_back(std::move(**line));
        }
    }
};

long resident_kilobytes()
{
    std::ifstream status("/proc/self/status");
    std::string word;
    while (status >> word) {
        if (word == "VmRSS:") {
            long kilobytes = 0;
            status >> kilobytes;
            return kilobytes;
        }
    }
    return 0;
}

TEST(TransportFaults, StreamCutMidFrameIsTruncatedAfterTheCompleteLines)
{
    FakeDaemon daemon(with_inspect([](int socket) {
        FakeDaemon::write_all(socket, FakeDaemon::streaming_head("application/vnd.docker.multiplexed-stream"));
        FakeDaemon::write_all(socket, FakeDaemon::frame(1, "line one\n"));
        FakeDaemon::write_all(socket, FakeDaemon::frame(2, "line two, cut here").substr(0, 15));
    }));
    Harness harness(daemon);
    auto [lines, error] = harness.run(harness.read_logs({}));
    // The part of the cut frame that arrived is still delivered, marked truncated.
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0].text, "line one");
    EXPECT_FALSE(lines[0].truncated);
    EXPECT_EQ(lines[1].text, "line tw");
    EXPECT_TRUE(lines[1].truncated);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind, ErrorKind::truncated);
    EXPECT_NE(error->message.find("7 of 18"), std::string::npos) << error->message;
}

TEST(TransportFaults, ChunkedStreamCutMidChunkIsTruncated)
{
    FakeDaemon daemon(with_inspect([](int socket) {
        FakeDaemon::write_all(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
                                      "Transfer-Encoding: chunked\r\n\r\n");
        auto payload = FakeDaemon::frame(1, "whole\n");
        FakeDaemon::write_all(socket, fmt::format("{:x}\r\n{}\r\n", payload.size(), payload));
        FakeDaemon::write_all(socket, "40\r\n" + FakeDaemon::frame(1, "never completed\n").substr(0, 12));
    }));
    Harness harness(daemon);
    auto [lines, error] = harness.run(harness.read_logs({}));
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].text, "whole");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind, ErrorKind::truncated) << error->message;
}

TEST(TransportFaults, FourGigabyteFrameHeaderIsRefused)
{
    FakeDaemon daemon(with_inspect([](int socket) {
        FakeDaemon::write_all(socket, FakeDaemon::streaming_head("application/vnd.docker.multiplexed-stream"));
        FakeDaemon::write_all(socket, std::string{'\1', '\0', '\0', '\0', '\xff', '\xff', '\xff', '\xff'} + "data");
    }));
    Harness harness(daemon);
    auto [lines, error] = harness.run(harness.read_logs({}));
    EXPECT_TRUE(lines.empty());
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind, ErrorKind::too_large);
}

TEST(TransportFaults, HundredMegabyteLineIsCutWithBoundedMemory)
{
    FakeDaemon daemon(with_inspect([](int socket) {
        FakeDaemon::write_all(socket, FakeDaemon::streaming_head("application/vnd.docker.multiplexed-stream"));
        const std::string megabyte_frame = FakeDaemon::frame(1, std::string(1 << 20, 'x'));
        for (int index = 0; index < 100; ++index) {
            if (!FakeDaemon::write_all(socket, megabyte_frame)) {
                return;
            }
        }
        FakeDaemon::write_all(socket, FakeDaemon::frame(1, "\nafter the long line\n"));
    }));
    Harness harness(daemon);
    const long before = resident_kilobytes();
    LogOptions options;
    options.max_line_length = 4096;
    auto [lines, error] = harness.run(harness.read_logs(options));
    const long growth_kilobytes = resident_kilobytes() - before;
    EXPECT_FALSE(error) << error->message;
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_TRUE(lines[0].truncated);
    EXPECT_EQ(lines[0].text, std::string(4096, 'x'));
    EXPECT_EQ(lines[1].text, "after the long line");
#if !defined(__SANITIZE_ADDRESS__) // AddressSanitizer's quarantine keeps freed memory resident
    EXPECT_LT(growth_kilobytes, 20 * 1024) << "reading a 100 MB line grew memory by " << growth_kilobytes << " kB";
#else
    (void)growth_kilobytes;
#endif
}

TEST(TransportFaults, GarbageInsteadOfHttpIsAProtocolError)
{
    FakeDaemon daemon([](int socket, const std::string&, const std::atomic<bool>&) {
        FakeDaemon::write_all(socket, "SSH-2.0-OpenSSH_9.2\r\n\x01\x02\x03 not http at all\r\n\r\n");
    });
    Harness harness(daemon);
    auto listed = harness.run(harness.client->list_containers());
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().kind, ErrorKind::protocol) << listed.error().message;
    EXPECT_NE(listed.error().message.find(daemon.url()), std::string::npos) << listed.error().message;
}

TEST(TransportFaults, InvalidJsonBodyIsAProtocolError)
{
    FakeDaemon daemon([](int socket, const std::string&, const std::atomic<bool>&) {
        FakeDaemon::write_all(socket, json_response(200, "[{\"Id\": \"abc\", "));
    });
    Harness harness(daemon);
    auto listed = harness.run(harness.client->list_containers());
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().kind, ErrorKind::protocol);
}

TEST(TransportFaults, SilentDaemonTimesOut)
{
    FakeDaemon daemon([](int, const std::string&, const std::atomic<bool>& stopping) {
        while (!stopping) {
            ::poll(nullptr, 0, 10);
        }
    });
    ClientOptions options;
    options.call_timeout = 300ms;
    Harness harness(daemon, options);
    auto listed = harness.run(harness.client->list_containers());
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().kind, ErrorKind::timeout) << listed.error().message;
}

TEST(TransportFaults, OversizedBodyIsRefused)
{
    FakeDaemon daemon([](int socket, const std::string&, const std::atomic<bool>&) {
        FakeDaemon::write_all(
            socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n[");
    });
    ClientOptions options;
    options.limits.max_body_size = 1 << 20;
    Harness harness(daemon, options);
    auto listed = harness.run(harness.client->list_containers());
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().kind, ErrorKind::too_large) << listed.error().message;
}

TEST(TransportFaults, DaemonErrorKeepsStatusAndMessage)
{
    FakeDaemon daemon([](int socket, const std::string&, const std::atomic<bool>&) {
        FakeDaemon::write_all(socket, json_response(404, R"({"message":"No such container: ghost"})"));
    });
    Harness harness(daemon);
    auto inspected = harness.run(harness.client->inspect_container("ghost"));
    ASSERT_FALSE(inspected);
    EXPECT_TRUE(inspected.error().is_status(404));
    EXPECT_EQ(inspected.error().message, "No such container: ghost");
}

TEST(TransportFaults, NothingListeningSaysWhere)
{
    boost::asio::io_context io;
    auto endpoint = parse_endpoint("unix:///tmp/medic-nothing-here.sock", DockerEnvironment{});
    auto client = std::move(*DockerClient::create(io.get_executor(), *endpoint));
    auto pinged = cli::run_blocking(io, client->ping());
    ASSERT_FALSE(pinged);
    EXPECT_EQ(pinged.error().kind, ErrorKind::connect_failed);
    EXPECT_NE(pinged.error().message.find("unix:///tmp/medic-nothing-here.sock"), std::string::npos);
}

TEST(TransportFaults, InvalidNamesNeverReachTheDaemon)
{
    FakeDaemon daemon([](int socket, const std::string&, const std::atomic<bool>&) {
        FakeDaemon::write_all(socket, json_response(200, k_small_inspect));
    });
    Harness harness(daemon);
    auto inspected = harness.run(harness.client->inspect_container("../../images/json"));
    ASSERT_FALSE(inspected);
    EXPECT_EQ(inspected.error().kind, ErrorKind::invalid_argument);
    EXPECT_TRUE(daemon.request_lines().empty());
}

std::string event_line(std::string_view action, std::int64_t time_nano)
{
    return fmt::format(R"({{"Type":"container","Action":"{}","Actor":{{"ID":"c1","Attributes":{{"name":"web"}}}},)"
                       R"("scope":"local","time":{},"timeNano":{}}})"
                       "\n",
                       action, time_nano / 1'000'000'000, time_nano);
}

TEST(EventFollowerFaults, ResumesFromTheLastEventWithoutRepeats)
{
    std::atomic<int> connections{0};
    FakeDaemon daemon([&connections](int socket, const std::string&, const std::atomic<bool>& stopping) {
        FakeDaemon::write_all(socket, FakeDaemon::streaming_head("application/json"));
        if (connections++ == 0) {
            FakeDaemon::write_all(socket, event_line("create", 1'000'000'100) + event_line("start", 2'000'000'200));
            return; // the connection drops
        }
        // The resumed stream repeats the event at the `since` time, then goes on.
        FakeDaemon::write_all(socket, event_line("start", 2'000'000'200) + event_line("die", 3'000'000'300));
        while (!stopping) {
            ::poll(nullptr, 0, 10);
        }
    });
    Harness harness(daemon);
    EventFollower follower(*harness.client, EventOptions{}, ReconnectPolicy{10ms, 50ms});
    std::vector<std::string> disconnects;
    follower.on_disconnect([&](const Error& error) { disconnects.push_back(error.message); });
    auto actions = harness.run([&]() -> boost::asio::awaitable<std::vector<std::string>> {
        std::vector<std::string> seen;
        while (seen.size() < 3) {
            auto event = co_await follower.next();
            if (!event || !*event) {
                break;
            }
            seen.push_back((*event)->action);
        }
        follower.stop();
        co_return seen;
    }());
    EXPECT_EQ(actions, (std::vector<std::string>{"create", "start", "die"}));
    EXPECT_EQ(follower.reconnects(), 1);
    EXPECT_FALSE(disconnects.empty());
    auto requests = daemon.request_lines();
    ASSERT_GE(requests.size(), 2U);
    EXPECT_EQ(requests[0].find("since="), std::string::npos) << requests[0];
    EXPECT_NE(requests[1].find("since=2.000000200"), std::string::npos) << requests[1];
}

TEST(EventFollowerFaults, AStopWhileTheStreamOpensEndsTheFollowerAtOnce)
{
    // medic run stopped by SIGTERM just after it started hung until the next Docker event:
    // stop() came while the event stream was being opened, found no stream to close, and
    // the follower then waited on the stream that opened.
    std::atomic<bool> answer{false};
    std::atomic<bool> gave_up{false};
    FakeDaemon daemon([&](int socket, const std::string&, const std::atomic<bool>& stopping) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!answer && std::chrono::steady_clock::now() < deadline) {
            ::poll(nullptr, 0, 5);
        }
        FakeDaemon::write_all(socket, FakeDaemon::streaming_head("application/json"));
        while (!stopping && std::chrono::steady_clock::now() < deadline) {
            ::poll(nullptr, 0, 5);
        }
        gave_up = !stopping; // no event ever comes: only the follower's own stop can end it
    });
    Harness harness(daemon);
    EventFollower follower(*harness.client, EventOptions{}, ReconnectPolicy{10ms, 50ms});
    auto stop_once_requested = [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (daemon.request_lines().empty() && std::chrono::steady_clock::now() < deadline) {
            timer.expires_after(5ms);
            co_await timer.async_wait(boost::asio::use_awaitable);
        }
        follower.stop();
        answer = true; // the daemon answers only now, after the stop
    };
    auto event = harness.run([&]() -> boost::asio::awaitable<Result<std::optional<Event>>> {
        boost::asio::co_spawn(co_await boost::asio::this_coro::executor, stop_once_requested(), boost::asio::detached);
        co_return co_await follower.next();
    }());
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_FALSE(event->has_value());
    EXPECT_FALSE(gave_up) << "the follower went on waiting for an event after stop()";
    EXPECT_EQ(daemon.request_lines().size(), 1U);
}

} // namespace
} // namespace medic::docker
