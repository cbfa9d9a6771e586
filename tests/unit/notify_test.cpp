// Notifications: which changes deserve a message (one per incident and state, never one
// per restart), the rate limits, the presets' shapes, and delivery to a real HTTP
// receiver on 127.0.0.1 that is down at first, then refuses, then takes it.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "notify/notice.hpp"
#include "notify/notifier.hpp"

namespace medic::notify {
namespace {

using incident::IncidentState;
namespace asio = boost::asio;
namespace http = boost::beast::http;

incident::Incident incident_on(const std::string& container, std::int64_t id)
{
    incident::Incident incident;
    incident.id = id;
    incident.container_name = container;
    incident.type = classify::ErrorType::permission_denied;
    incident.severity = classify::Severity::error;
    incident.message = "Can't open or create append-only dir appendonlydir: Permission denied";
    return incident;
}

std::optional<Notice> change(NoticePolicy& policy, const incident::Incident& incident, bool created,
                             incident::TimeMs now)
{
    return policy.on_change({.kind = store::Change::Kind::incident, .created = created, .incident = &incident}, now);
}

TEST(NoticePolicy, OneMessageWhenAnIncidentOpensEscalatesAndIsResolvedNotOnePerRestart)
{
    NoticePolicy policy(NotifyOptions{});
    auto incident = incident_on("redis", 1);
    auto opened = change(policy, incident, true, 1000);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->kind, NoticeKind::opened);
    for (int restart = 0; restart < 945; ++restart) {
        ++incident.count;
        incident.state = restart % 2 == 0 ? IncidentState::healing : IncidentState::open;
        EXPECT_FALSE(change(policy, incident, false, 2000 + restart)) << "a finding joined: no message";
    }
    incident.state = IncidentState::escalated;
    auto escalated = change(policy, incident, false, 5000);
    ASSERT_TRUE(escalated);
    EXPECT_EQ(escalated->kind, NoticeKind::escalated);
    ++incident.count;
    EXPECT_FALSE(change(policy, incident, false, 5100)) << "still escalated: said already";
    incident.state = IncidentState::resolved;
    auto resolved = change(policy, incident, false, 6000);
    ASSERT_TRUE(resolved);
    EXPECT_EQ(resolved->kind, NoticeKind::resolved);
}

TEST(NoticePolicy, OnlyFailuresSaysNothingAboutWhatMedicHealsItself)
{
    NotifyOptions options;
    options.on = NotifyOn::failures;
    NoticePolicy policy(options);
    auto healed = incident_on("web", 1);
    EXPECT_FALSE(change(policy, healed, true, 1000));
    healed.state = IncidentState::resolved;
    EXPECT_FALSE(change(policy, healed, false, 2000)) << "healed by medic: nobody needs to hear";

    auto hopeless = incident_on("db", 2);
    hopeless.state = IncidentState::escalated; // no playbook: escalated at once
    auto escalated = change(policy, hopeless, true, 3000);
    ASSERT_TRUE(escalated);
    EXPECT_EQ(escalated->kind, NoticeKind::escalated);
    hopeless.state = IncidentState::resolved;
    auto resolved = change(policy, hopeless, false, 4000);
    ASSERT_TRUE(resolved) << "the person who heard of it hears it is over";
}

TEST(NoticePolicy, RateLimitsHoldBackPerContainerAndInAllAndSayHowManyLater)
{
    NotifyOptions options;
    options.container_limit = 2;
    options.container_window = std::chrono::minutes(10);
    options.global_limit = 4;
    options.global_window = std::chrono::minutes(60);
    NoticePolicy policy(options);
    int sent = 0;
    for (int id = 1; id <= 5; ++id) {
        sent += change(policy, incident_on("flappy", id), true, 1000 + id) ? 1 : 0;
    }
    EXPECT_EQ(sent, 2) << "two about one container in ten minutes";
    EXPECT_EQ(policy.held_back_total(), 3);
    EXPECT_TRUE(change(policy, incident_on("other", 10), true, 2000)) << "another container is not held back";
    const auto later = 1000 + 11 * 60 * 1000;
    auto next = change(policy, incident_on("flappy", 6), true, later);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->held_back, 3);
    EXPECT_NE(notice_text(*next).find("3 more about flappy held back"), std::string::npos) << notice_text(*next);
    EXPECT_FALSE(change(policy, incident_on("third", 20), true, later + 1)) << "four in the hour: the global limit";
}

TEST(NoticeRender, EachPresetGetsTheShapeItsReceiverReads)
{
    auto incident = incident_on("redis", 7);
    incident.state = IncidentState::escalated;
    incident.note = "medic tried: fix_redis_permissions; still failing. What to do: check the volume's owner.";
    const Notice notice{NoticeKind::escalated, incident, 0};
    const auto slack = nlohmann::json::parse(render(notice, Preset::slack).body);
    EXPECT_NE(slack["text"].get<std::string>().find("medic needs a person: PERMISSION_DENIED on redis"),
              std::string::npos);
    const auto discord = nlohmann::json::parse(render(notice, Preset::discord).body);
    EXPECT_TRUE(discord.contains("content"));
    const auto ntfy = render(notice, Preset::ntfy);
    EXPECT_EQ(ntfy.content_type.substr(0, 10), "text/plain");
    EXPECT_NE(ntfy.body.find("check the volume's owner"), std::string::npos);
    EXPECT_EQ(ntfy.headers.at(1), (std::pair<std::string, std::string>{"Priority", "4"}));
    const auto generic = nlohmann::json::parse(render(notice, Preset::generic).body);
    EXPECT_EQ(generic["event"], "escalated");
    EXPECT_EQ(generic["incident"]["id"], 7);
    EXPECT_EQ(generic["incident"]["container"], "redis");
}

/// A webhook receiver on 127.0.0.1: answers each request with the next status of its script.
struct Receiver {
    explicit Receiver(asio::io_context& io, std::uint16_t port)
        : acceptor(io, {asio::ip::make_address("127.0.0.1"), port})
    {
    }

    static asio::awaitable<void> serve(Receiver* self, std::vector<unsigned> statuses)
    {
        for (const auto status : statuses) {
            auto [accept_error, socket] = co_await self->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (accept_error) {
                co_return;
            }
            boost::beast::flat_buffer buffer;
            http::request<http::string_body> request;
            auto [read_error, read] =
                co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
            if (read_error) {
                continue;
            }
            self->bodies.push_back(request.body());
            self->content_types.emplace_back(request[http::field::content_type]);
            http::response<http::string_body> response{static_cast<http::status>(status), 11};
            response.body() = "{}";
            response.prepare_payload();
            auto [write_error, written] =
                co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
            (void)write_error;
        }
    }

    asio::ip::tcp::acceptor acceptor;
    std::vector<std::string> bodies;
    std::vector<std::string> content_types;
};

std::uint16_t free_port(asio::io_context& io)
{
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
}

TEST(Notifier, RetriesWithBackoffUntilTheReceiverTakesItAndNeverBlocksTheCaller)
{
    asio::io_context io;
    const auto port = free_port(io); // nothing listens there yet
    NotifyOptions options;
    options.targets = {{fmt::format("http://127.0.0.1:{}/hook", port), Preset::generic}};
    options.first_retry = std::chrono::milliseconds(50);
    options.max_retry = std::chrono::milliseconds(200);
    options.timeout = std::chrono::milliseconds(2000);
    Notifier notifier(io.get_executor(), options);
    bool ran = false;
    asio::co_spawn(io, notifier.run(), [&](std::exception_ptr) { ran = true; });

    auto incident = incident_on("redis", 3);
    incident.state = IncidentState::escalated;
    const auto before = std::chrono::steady_clock::now();
    notifier.on_change({.kind = store::Change::Kind::incident, .created = true, .incident = &incident});
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(50)) << "only queued";

    io.run_for(std::chrono::milliseconds(300)); // a few refused attempts
    EXPECT_EQ(notifier.delivered(), 0);
    Receiver receiver(io, port);
    asio::co_spawn(io, Receiver::serve(&receiver, {503, 200}), asio::detached);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (notifier.delivered() == 0 && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(notifier.delivered(), 1) << "delivered once the receiver took it";
    ASSERT_EQ(receiver.bodies.size(), 2U) << "a 503 is tried again";
    EXPECT_EQ(receiver.bodies[0], receiver.bodies[1]);
    const auto body = nlohmann::json::parse(receiver.bodies[1]);
    EXPECT_EQ(body["event"], "escalated");
    EXPECT_EQ(body["incident"]["container"], "redis");
    EXPECT_EQ(receiver.content_types[1], "application/json");
    EXPECT_EQ(notifier.failed(), 0);

    notifier.stop();
    io.run_for(std::chrono::seconds(1));
    EXPECT_TRUE(ran) << "stops";
}

TEST(Notifier, GivesUpAfterTheLastAttemptAndGoesOnWithTheNextMessage)
{
    asio::io_context io;
    const auto port = free_port(io);
    Receiver receiver(io, port);
    asio::co_spawn(io, Receiver::serve(&receiver, {500, 500, 200}), asio::detached);
    NotifyOptions options;
    options.targets = {{fmt::format("http://127.0.0.1:{}/", port), Preset::slack}};
    options.first_retry = std::chrono::milliseconds(10);
    options.max_attempts = 2;
    Notifier notifier(io.get_executor(), options);
    asio::co_spawn(io, notifier.run(), asio::detached);
    auto first = incident_on("a", 1);
    first.state = IncidentState::escalated;
    auto second = incident_on("b", 2);
    second.state = IncidentState::escalated;
    notifier.on_change({.kind = store::Change::Kind::incident, .created = true, .incident = &first});
    notifier.on_change({.kind = store::Change::Kind::incident, .created = true, .incident = &second});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (notifier.delivered() + notifier.failed() < 2 && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(notifier.failed(), 1) << "the first, after two refusals";
    EXPECT_EQ(notifier.delivered(), 1);
    ASSERT_EQ(receiver.bodies.size(), 3U);
    EXPECT_NE(receiver.bodies[2].find("on b"), std::string::npos) << receiver.bodies[2];
    notifier.stop();
    io.run_for(std::chrono::milliseconds(200));
}

TEST(Notifier, ReceiverUrlsAreChecked)
{
    EXPECT_TRUE(validate_url("https://hooks.slack.com/services/T0/B0/x"));
    EXPECT_TRUE(validate_url("http://127.0.0.1:8080/hook"));
    EXPECT_TRUE(validate_url("https://ntfy.sh/my-topic"));
    EXPECT_FALSE(validate_url("ftp://example.com/"));
    EXPECT_FALSE(validate_url("hooks.slack.com/services"));
    EXPECT_FALSE(validate_url("http://:80/"));
    EXPECT_FALSE(validate_url("http://host:port/"));
}

} // namespace
} // namespace medic::notify
