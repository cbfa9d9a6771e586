// The API's pure parts: request targets and their parameters, tokens and sessions,
// the origin rule, the Prometheus text, the SSE framing of log lines.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "api/log_hub.hpp"
#include "api/metrics.hpp"
#include "api/query.hpp"
#include "api/sse.hpp"

namespace medic::api {
namespace {

TEST(ApiTarget, SplitsThePathAndDecodesTheParameters)
{
    auto target = parse_target("/api/containers/my%2Dapp?per_page=20&container=a+b&flag&since=");
    ASSERT_TRUE(target);
    EXPECT_EQ(target->path, "/api/containers/my-app");
    EXPECT_EQ(target->segments, (std::vector<std::string>{"api", "containers", "my-app"}));
    EXPECT_EQ(target->parameters.at("per_page"), "20");
    EXPECT_EQ(target->parameters.at("container"), "a b");
    EXPECT_EQ(target->parameters.at("flag"), "");
    EXPECT_FALSE(text_parameter(*target, "since")) << "an empty value is no value";
    EXPECT_FALSE(parse_target("/api/x?y=%zz"));
    EXPECT_FALSE(parse_target("/api/%4"));
    EXPECT_FALSE(parse_target("no-slash"));
    EXPECT_EQ(*percent_decode("%41%42+c", true), "AB c");
    EXPECT_EQ(*percent_decode("%41%42+c", false), "AB+c");
}

TEST(ApiTarget, IntegerAndFlagParametersKeepTheirLimitsAndNameThemselvesWhenWrong)
{
    auto target = *parse_target("/x?page=3&per_page=501&neg=-1&junk=12a&yes=true&no=0&maybe=2");
    EXPECT_EQ(*integer_parameter(target, "page", 1, 1, 1000), 3);
    EXPECT_EQ(*integer_parameter(target, "absent", 7, 1, 10), 7);
    auto too_big = integer_parameter(target, "per_page", 50, 1, 500);
    ASSERT_FALSE(too_big);
    EXPECT_EQ(too_big.error().parameter, "per_page");
    EXPECT_NE(too_big.error().message.find("between 1 and 500"), std::string::npos);
    EXPECT_FALSE(integer_parameter(target, "neg", 0, 0, 10));
    auto junk = integer_parameter(target, "junk", 0, 0, 100);
    ASSERT_FALSE(junk);
    EXPECT_NE(junk.error().message.find("integer"), std::string::npos);
    EXPECT_TRUE(*flag_parameter(target, "yes", false));
    EXPECT_FALSE(*flag_parameter(target, "no", true));
    EXPECT_TRUE(*flag_parameter(target, "absent", true));
    EXPECT_EQ(flag_parameter(target, "maybe", true).error().parameter, "maybe");
}

TEST(ApiTarget, ContainerNamesAreDockersNames)
{
    for (const auto* good : {"redis", "my_app.1-blue", "a", "0abc", "f3a9c2d1e4b5"}) {
        EXPECT_TRUE(is_valid_container_name(good)) << good;
    }
    for (const auto* bad : {"", "-x", ".x", "_x", "a b", "a/b", "a;rm", "ü", "a\n"}) {
        EXPECT_FALSE(is_valid_container_name(bad)) << bad;
    }
    EXPECT_TRUE(is_valid_container_name(std::string(128, 'a')));
    EXPECT_FALSE(is_valid_container_name(std::string(129, 'a')));
}

class TokenFiles : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = fmt::format("/tmp/medic-unit-tokens-{}", ::getpid());
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string m_dir;
};

TEST_F(TokenFiles, AreMadeOnFirstStartReadableOnlyByTheOwnerAndKeptAfterwards)
{
    auto first = load_tokens(m_dir, std::nullopt, std::nullopt);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->operator_token.size(), 64U);
    EXPECT_NE(first->operator_token, first->viewer_token);
    struct stat info {};
    ASSERT_EQ(::stat((m_dir + "/api-token").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600U);
    ASSERT_EQ(::stat((m_dir + "/api-viewer-token").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600U);
    auto again = load_tokens(m_dir, std::nullopt, std::nullopt);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->operator_token, first->operator_token) << "the same token after a restart";
}

TEST_F(TokenFiles, AFileOthersCanReadIsRefusedAndConfiguredTokensWin)
{
    {
        std::ofstream file(m_dir + "/api-token");
        file << "0123456789abcdef0123456789abcdef\n";
    }
    ::chmod((m_dir + "/api-token").c_str(), 0644);
    auto refused = load_tokens(m_dir, std::nullopt, std::nullopt);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos) << refused.error().message;

    ::chmod((m_dir + "/api-token").c_str(), 0600);
    auto read = load_tokens(m_dir, std::nullopt, std::nullopt);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->operator_token, "0123456789abcdef0123456789abcdef");

    auto configured =
        load_tokens(m_dir, std::string("configured-operator-token"), std::string("configured-viewer-tok"));
    ASSERT_TRUE(configured);
    EXPECT_EQ(configured->operator_token, "configured-operator-token");
    EXPECT_FALSE(load_tokens(m_dir, std::string("short"), std::nullopt)) << "at least 16 characters";
    EXPECT_FALSE(load_tokens(m_dir, std::string("the-same-token-twice"), std::string("the-same-token-twice")));
}

TEST(Authenticator, GivesTheRoleOfATokenOrASessionAndForgetsExpiredSessions)
{
    Authenticator auth({"operator-token-0123456789", "viewer-token-0123456789"});
    const auto now = Authenticator::Clock::now();
    EXPECT_EQ(auth.role_of_request("Bearer operator-token-0123456789", "", now), Role::operator_role);
    EXPECT_EQ(auth.role_of_request("Bearer viewer-token-0123456789", "", now), Role::viewer);
    EXPECT_FALSE(auth.role_of_request("Bearer viewer-token-012345678", "", now)) << "a prefix is not the token";
    EXPECT_FALSE(auth.role_of_request("Basic viewer-token-0123456789", "", now));
    EXPECT_FALSE(auth.role_of_request("", "", now));
    EXPECT_FALSE(auth.role_of_token(""));

    const auto session = auth.open_session(Role::operator_role, now);
    const auto cookie = fmt::format("theme=dark; medic_session={}; other=1", session);
    EXPECT_EQ(auth.role_of_request("", cookie, now), Role::operator_role);
    EXPECT_FALSE(auth.role_of_request("", "medic_session=forged", now));
    EXPECT_FALSE(auth.role_of_request("", cookie, now + Authenticator::k_session_lifetime + std::chrono::seconds(1)))
        << "expired";
    EXPECT_FALSE(auth.role_of_request("", cookie, now)) << "and forgotten";

    const auto other = auth.open_session(Role::viewer, now);
    auth.close_session("medic_session=" + other);
    EXPECT_FALSE(auth.role_of_request("", "medic_session=" + other, now)) << "logged out";

    const auto set_cookie = Authenticator::session_cookie("abc");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_NE(Authenticator::expired_cookie().find("Max-Age=0"), std::string::npos);
}

TEST(Authenticator, StateChangesFromAnotherOriginAreRecognised)
{
    EXPECT_FALSE(is_cross_origin("", "", "127.0.0.1:9470")) << "no Origin: not a browser";
    EXPECT_FALSE(is_cross_origin("http://127.0.0.1:9470", "same-origin", "127.0.0.1:9470"));
    EXPECT_TRUE(is_cross_origin("http://evil.example", "", "127.0.0.1:9470"));
    EXPECT_TRUE(is_cross_origin("http://127.0.0.1:9471", "", "127.0.0.1:9470")) << "another port is another origin";
    EXPECT_TRUE(is_cross_origin("null", "", "127.0.0.1:9470"));
    EXPECT_TRUE(is_cross_origin("", "cross-site", "127.0.0.1:9470"));
    EXPECT_TRUE(is_cross_origin("", "same-site", "127.0.0.1:9470"));
    EXPECT_FALSE(is_cross_origin("", "none", "127.0.0.1:9470")) << "typed into the address bar";
}

TEST(Authenticator, OnlyLoopbackAddressesCountAsLoopback)
{
    for (const auto* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
        EXPECT_TRUE(is_loopback_host(host)) << host;
    }
    for (const auto* host : {"0.0.0.0", "::", "192.168.1.10", "example.com", ""}) {
        EXPECT_FALSE(is_loopback_host(host)) << host;
    }
}

TEST(Metrics, CountIncidentsAndFinishedActionsAndObserveLatencies)
{
    Metrics metrics;
    incident::Incident opened;
    opened.type = classify::ErrorType::permission_denied;
    opened.signal_time = 1000;
    opened.first_seen = 1200;
    metrics.on_change({.kind = store::Change::Kind::incident, .created = true, .incident = &opened});
    auto resolved = opened;
    resolved.state = incident::IncidentState::resolved;
    resolved.resolved_at = 4200;
    metrics.on_change({.kind = store::Change::Kind::incident, .created = false, .incident = &resolved});
    store::ActionRecord action;
    action.action = "fix_redis_permissions";
    action.state = store::ActionState::running;
    metrics.on_change({.kind = store::Change::Kind::action, .created = true, .action = &action});
    action.state = store::ActionState::succeeded;
    metrics.on_change({.kind = store::Change::Kind::action, .created = false, .action = &action});
    metrics.add_gauge({"medic_sse_clients", "Clients.", [] { return 3.0; }});

    const auto text = metrics.render();
    EXPECT_NE(text.find("medic_incidents_total{type=\"PERMISSION_DENIED\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("medic_actions_total{action=\"fix_redis_permissions\",result=\"succeeded\"} 1\n"),
              std::string::npos)
        << "counted once, when it finished";
    EXPECT_NE(text.find("medic_detection_latency_seconds_bucket{le=\"0.25\"} 1\n"), std::string::npos)
        << "0.2 s falls under 0.25";
    EXPECT_NE(text.find("medic_detection_latency_seconds_bucket{le=\"0.1\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("medic_recovery_latency_seconds_bucket{le=\"5\"} 1\n"), std::string::npos) << "3 s";
    EXPECT_NE(text.find("medic_recovery_latency_seconds_count 1\n"), std::string::npos);
    EXPECT_NE(text.find("# TYPE medic_sse_clients gauge\nmedic_sse_clients 3\n"), std::string::npos);
    EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Sse, EventsAreFramedAndLogLinesCarryStreamTimeAndType)
{
    EXPECT_EQ(format_event("7", "incident", "{}"), "id: 7\nevent: incident\ndata: {}\n\n");
    EXPECT_EQ(format_event("", "", "x"), "data: x\n\n");

    docker::LogLine line;
    line.stream = docker::OutputStream::stderr_stream;
    line.text = "a \"quoted\" line with \x1b[31mcolour\x1b[0m and a\nnewline";
    classify::Rule rule;
    rule.id = "redis-aof-permission";
    classify::Finding finding;
    finding.type = classify::ErrorType::permission_denied;
    finding.rule = &rule;
    const auto message = format_log_line(line, 1795872583500204540, &finding);
    ASSERT_TRUE(message.starts_with("id: 1795872583500204540\nevent: line\ndata: "));
    const auto data_line = message.substr(message.find("data: ") + 6);
    EXPECT_EQ(data_line.find('\n'), data_line.size() - 2) << "one data line: newlines inside are escaped";
    const auto data = nlohmann::json::parse(data_line);
    EXPECT_EQ(data["stream"], "stderr");
    EXPECT_EQ(data["time"], 1795872583500);
    EXPECT_EQ(data["text"], line.text) << "the raw text, colours included, for the UI to render";
    EXPECT_EQ(data["type"], "PERMISSION_DENIED");
    EXPECT_EQ(data["rule"], "redis-aof-permission");

    line.text = std::string("bad utf-8 \xff\xfe here");
    const auto replaced = format_log_line(line, 1, nullptr);
    EXPECT_NE(replaced.find("bad utf-8"), std::string::npos) << "invalid bytes do not drop the line";
    EXPECT_EQ(replaced.find("\"type\""), std::string::npos);
}

TEST(Sse, AClientThatFallsTooFarBehindIsDroppedAndTheRestOfTheQueueFreed)
{
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    auto server = acceptor.accept();
    auto connection = std::make_shared<SseConnection>(std::move(server), std::chrono::seconds(15));
    bool told = false;
    connection->on_closed([&] { told = true; });
    const auto line = std::make_shared<const std::string>(1024, 'x');
    for (int index = 0; index < 9 * 1024 && !connection->closed(); ++index) {
        connection->send(line); // the client reads nothing
    }
    EXPECT_FALSE(told) << "not closed under the sender's feet";
    bool finished = false;
    asio::co_spawn(io, SseConnection::run(connection, "HTTP/1.1 200 OK\r\n\r\n"),
                   [&](std::exception_ptr) { finished = true; });
    io.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(finished);
    EXPECT_TRUE(connection->closed());
    EXPECT_TRUE(told);
    std::string received(64 * 1024, '\0');
    boost::system::error_code error;
    const auto size = asio::read(client, asio::buffer(received), error);
    EXPECT_EQ(error, asio::error::eof) << "the stream ended";
    EXPECT_LT(size, 1024U) << "none of the 9 MiB it could not take was written; only the header";
}

} // namespace
} // namespace medic::api
