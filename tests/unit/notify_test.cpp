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
#include "support/webhook_receiver.hpp"

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

TEST(NoticePolicy, ANewIncidentOfTheSameTroubleRightAfterAnEscalationIsNotNewNews)
{
    NoticePolicy policy(NotifyOptions{});
    auto first = incident_on("app", 1);
    first.type = classify::ErrorType::config_error;
    ASSERT_TRUE(change(policy, first, true, 1000));
    first.state = IncidentState::escalated;
    ASSERT_TRUE(change(policy, first, false, 1500));
    // Escalated incidents stop collecting: every restart of a crash loop opens another.
    for (int restart = 2; restart < 40; ++restart) {
        auto again = incident_on("app", restart);
        again.type = classify::ErrorType::config_error;
        EXPECT_FALSE(change(policy, again, true, 2000 + restart)) << "restart " << restart;
        again.state = IncidentState::escalated;
        EXPECT_FALSE(change(policy, again, false, 2100 + restart));
    }
    auto other_type = incident_on("app", 50);
    EXPECT_TRUE(change(policy, other_type, true, 3000)) << "another kind of trouble is news";
    auto hour_later = incident_on("app", 60);
    hour_later.type = classify::ErrorType::config_error;
    EXPECT_TRUE(change(policy, hour_later, true, 1500 + 61 * 60 * 1000)) << "an hour later it is said again";
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
    // Five different troubles of one container (the same one again would be a repeat).
    const std::array<classify::ErrorType, 6> types{
        classify::ErrorType::permission_denied, classify::ErrorType::port_conflict,
        classify::ErrorType::stale_lock,        classify::ErrorType::network_error,
        classify::ErrorType::data_corruption,   classify::ErrorType::volume_mount_error};
    auto trouble = [&](int id) {
        auto incident = incident_on("flappy", id);
        incident.type = types[static_cast<std::size_t>(id - 1)];
        return incident;
    };
    int sent = 0;
    for (int id = 1; id <= 5; ++id) {
        sent += change(policy, trouble(id), true, 1000 + id) ? 1 : 0;
    }
    EXPECT_EQ(sent, 2) << "two about one container in ten minutes";
    EXPECT_EQ(policy.held_back_total(), 3);
    EXPECT_TRUE(change(policy, incident_on("other", 10), true, 2000)) << "another container is not held back";
    const auto later = 1000 + 11 * 60 * 1000;
    auto next = change(policy, trouble(6), true, later);
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

using Receiver = testing::WebhookReceiver;

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
    asio::co_spawn(io, Receiver::serve(&receiver, {503, 200}, 2), asio::detached);
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
    asio::co_spawn(io, Receiver::serve(&receiver, {500, 500, 200}, 3), asio::detached);
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

TEST(Notifier, TheReceiverGetsThePresetsHeadersAndItsOwnHostAndPort)
{
    asio::io_context io;
    const auto port = free_port(io);
    Receiver receiver(io, port);
    asio::co_spawn(io, Receiver::serve(&receiver, {}, 1), asio::detached);
    NotifyOptions options;
    options.targets = {{fmt::format("http://127.0.0.1:{}/medic-alerts", port), Preset::ntfy}};
    Notifier notifier(io.get_executor(), options);
    asio::co_spawn(io, notifier.run(), asio::detached);
    auto incident = incident_on("redis", 4);
    incident.state = IncidentState::escalated;
    notifier.on_change({.kind = store::Change::Kind::incident, .created = true, .incident = &incident});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (notifier.delivered() == 0 && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(notifier.delivered(), 1);
    ASSERT_EQ(receiver.headers.size(), 1U);
    const auto& headers = receiver.headers[0];
    EXPECT_EQ(headers.at("Host"), fmt::format("127.0.0.1:{}", port)) << "a port that is not 80 is in Host";
    EXPECT_EQ(headers.at("Priority"), "4") << "ntfy's own headers go as they are";
    EXPECT_EQ(receiver.content_types[0].substr(0, 10), "text/plain");
    EXPECT_NE(receiver.bodies[0].find("redis"), std::string::npos) << receiver.bodies[0];
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
