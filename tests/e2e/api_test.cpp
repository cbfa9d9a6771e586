// The API end to end: medic's watcher, engine and API server (what `medic run` runs) in
// this process, real containers on the sandbox engine, and a real HTTP client on
// 127.0.0.1. Each test asserts what a person or a program using the API relies on.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/api_server.hpp"
#include "healing_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

struct Reply {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers; ///< lower-case names

    [[nodiscard]] json parsed() const { return json::parse(body, nullptr, false); }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

asio::awaitable<Reply> http_call(std::uint16_t port, http::verb method, std::string target, std::string body,
                                 Headers headers)
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(60s);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    auto [connect_error] = co_await stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
    Reply reply;
    if (connect_error) {
        co_return reply;
    }
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, fmt::format("127.0.0.1:{}", port));
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    request.body() = std::move(body);
    request.prepare_payload();
    auto [write_error, written] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
    if (write_error) {
        co_return reply;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64U * 1024U * 1024U);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) {
        co_return reply;
    }
    const auto& response = parser.get();
    reply.status = response.result_int();
    reply.body = response.body();
    for (const auto& field : response) {
        auto name = std::string(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        reply.headers[name] = std::string(field.value());
    }
    co_return reply;
}

struct SseEvent {
    std::string id;
    std::string event;
    std::string data;
    bool comment = false; ///< a keep-alive comment

    [[nodiscard]] json parsed() const { return json::parse(data, nullptr, false); }
};

/// A Server-Sent Events client on a raw socket, read with a deadline per event.
class SseClient {
public:
    explicit SseClient(asio::any_io_executor executor) : m_stream(std::move(executor)) {}

    asio::awaitable<unsigned> open(std::uint16_t port, std::string target, Headers headers)
    {
        m_stream.expires_after(10s);
        const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
        auto [connect_error] = co_await m_stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
        if (connect_error) {
            co_return 0;
        }
        std::string request =
            fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n", target, port);
        for (const auto& [name, value] : headers) {
            request += fmt::format("{}: {}\r\n", name, value);
        }
        request += "\r\n";
        auto [write_error, written] =
            co_await asio::async_write(m_stream, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
        if (write_error) {
            co_return 0;
        }
        while (m_buffer.find("\r\n\r\n") == std::string::npos) {
            if (!co_await fill(10s)) {
                co_return 0;
            }
        }
        const auto header_end = m_buffer.find("\r\n\r\n");
        m_header = m_buffer.substr(0, header_end);
        m_buffer.erase(0, header_end + 4);
        co_return static_cast<unsigned>(std::stoi(m_header.substr(9, 3)));
    }

    /// The next event or comment; std::nullopt when none came before the deadline or the stream ended.
    asio::awaitable<std::optional<SseEvent>> next(std::chrono::milliseconds deadline)
    {
        while (true) {
            const auto end = m_buffer.find("\n\n");
            if (end != std::string::npos) {
                const auto block = m_buffer.substr(0, end);
                m_buffer.erase(0, end + 2);
                SseEvent event;
                std::size_t start = 0;
                while (start <= block.size()) {
                    auto line_end = block.find('\n', start);
                    if (line_end == std::string::npos) {
                        line_end = block.size();
                    }
                    const auto line = block.substr(start, line_end - start);
                    if (line.starts_with(":")) {
                        event.comment = true;
                    } else if (line.starts_with("id: ")) {
                        event.id = line.substr(4);
                    } else if (line.starts_with("event: ")) {
                        event.event = line.substr(7);
                    } else if (line.starts_with("data: ")) {
                        event.data = line.substr(6);
                    }
                    start = line_end + 1;
                }
                co_return event;
            }
            if (!co_await fill(deadline)) {
                co_return std::nullopt;
            }
        }
    }

    /// The next event (comments skipped) for which `accept` holds.
    asio::awaitable<std::optional<SseEvent>> next_matching(std::function<bool(const SseEvent&)> accept,
                                                           std::chrono::milliseconds deadline)
    {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (std::chrono::steady_clock::now() < until) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            auto event = co_await next(left);
            if (!event) {
                co_return std::nullopt;
            }
            if (!event->comment && accept(*event)) {
                co_return event;
            }
        }
        co_return std::nullopt;
    }

    void close()
    {
        boost::system::error_code ignored;
        m_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        m_stream.close();
    }

    [[nodiscard]] const std::string& header() const { return m_header; }

private:
    asio::awaitable<bool> fill(std::chrono::milliseconds deadline)
    {
        std::array<char, 8192> chunk{};
        m_stream.expires_after(deadline);
        auto [error, size] =
            co_await m_stream.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return false;
        }
        m_buffer.append(chunk.data(), size);
        co_return true;
    }

    beast::tcp_stream m_stream;
    std::string m_buffer;
    std::string m_header;
};

class ApiTest : public HealingTest {
protected:
    void SetUp() override
    {
        HealingTest::SetUp();
        m_data_dir = fmt::format("/tmp/medic-api-test-{}", m_run_label);
        std::filesystem::create_directories(m_data_dir);
    }

    void TearDown() override
    {
        if (m_api) {
            m_api->stop();
            EXPECT_TRUE(wait_until([this] { return !m_serving; }, 10s)) << "the API did not stop";
            m_store->set_observer(nullptr);
        }
        HealingTest::TearDown();
        std::error_code ignored;
        std::filesystem::remove_all(m_data_dir, ignored);
    }

    void start_api(api::ServerOptions options = {})
    {
        auto tokens = api::load_tokens(m_data_dir, std::nullopt, std::nullopt);
        ASSERT_TRUE(tokens) << tokens.error().message;
        m_tokens = *tokens;
        options.listen = "127.0.0.1:0";
        options.tokens = m_tokens;
        options.health_refresh = 300ms;
        api::ApiDependencies dependencies{*m_client, *m_store, *m_tracker, *m_classifier};
        dependencies.engine = m_engine.get();
        dependencies.followed_containers =
            m_followed ? m_followed
                       : std::function<std::size_t()>([this] { return m_watcher ? m_watcher->followed_count() : 0; });
        m_api = std::make_unique<api::ApiServer>(m_io.get_executor(), std::move(dependencies), std::move(options));
        auto port = m_api->listen();
        ASSERT_TRUE(port) << port.error().message;
        m_port = *port;
        m_store->set_observer([this](const store::Change& change) { m_api->on_change(change); });
        m_serving = true;
        asio::co_spawn(m_io, m_api->run(), [this](std::exception_ptr) { m_serving = false; });
    }

    Reply call(http::verb method, const std::string& target, std::string body = {}, Headers headers = {})
    {
        return run(http_call(m_port, method, target, std::move(body), std::move(headers)));
    }

    Headers as_operator() const { return {{"Authorization", "Bearer " + m_tokens.operator_token}}; }
    Headers as_viewer() const { return {{"Authorization", "Bearer " + m_tokens.viewer_token}}; }

    Reply get(const std::string& target) { return call(http::verb::get, target, {}, as_operator()); }
    Reply post(const std::string& target, std::string body = {})
    {
        return call(http::verb::post, target, std::move(body), as_operator());
    }

    /// Polls GET `target` until `condition` holds on its JSON.
    std::optional<json> wait_for_json(const std::string& target, const std::function<bool(const json&)>& condition,
                                      std::chrono::milliseconds deadline)
    {
        std::optional<json> found;
        wait_until(
            [&] {
                auto reply = get(target);
                auto parsed = reply.parsed();
                if (reply.status == 200 && !parsed.is_discarded() && condition(parsed)) {
                    found = parsed;
                    return true;
                }
                return false;
            },
            deadline);
        return found;
    }

    /// The value of a metric line "name{labels} value", or -1.
    double metric(const std::string& series)
    {
        const auto text = get("/metrics").body;
        const auto at = text.find("\n" + series + " ");
        if (at == std::string::npos) {
            return -1;
        }
        return std::stod(text.substr(at + series.size() + 2));
    }

    std::string m_data_dir;
    api::Tokens m_tokens;
    std::unique_ptr<api::ApiServer> m_api;
    std::uint16_t m_port = 0;
    bool m_serving = false;
    std::function<std::size_t()> m_followed; ///< replaces the watcher's count on /metrics when set
};

/// Sends half a request and waits; true when the server closed the connection.
asio::awaitable<bool> closed_after_half_a_request(std::uint16_t port, std::chrono::seconds deadline)
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    auto [connect_error] = co_await stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
    if (connect_error) {
        co_return false;
    }
    const std::string half = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(half), asio::as_tuple(asio::use_awaitable));
    if (write_error) {
        co_return false;
    }
    std::array<char, 256> chunk{};
    stream.expires_after(deadline);
    auto [read_error, size] = co_await stream.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    co_return read_error == asio::error::eof || read_error == asio::error::connection_reset;
}

TEST_F(ApiTest, EveryRouteNeedsATokenTheViewerReadsAndOnlyTheOperatorActs)
{
    start_api();
    const auto name = unique_name("api-roles");
    start(name, tools({"sh", "-c", "exec sleep 300"}));

    // No token needed: the liveness check and the UI's static shell.
    EXPECT_EQ(call(http::verb::get, "/healthz").status, 200U);
    const auto shell = call(http::verb::get, "/");
    EXPECT_EQ(shell.status, 200U);
    EXPECT_NE(shell.headers.at("content-type").find("text/html"), std::string::npos);

    const std::vector<std::string> reads{"/api/docker/health",
                                         "/api/docker/errors",
                                         "/api/docker/errors/stats",
                                         "/api/docker/recovery",
                                         "/api/docker/recovery/stats",
                                         "/api/containers",
                                         "/api/containers/" + name,
                                         "/api/incidents",
                                         "/api/openapi.json",
                                         "/api/session",
                                         "/metrics"};
    for (const auto& target : reads) {
        const auto anonymous = call(http::verb::get, target);
        EXPECT_EQ(anonymous.status, 401U) << target;
        EXPECT_FALSE(anonymous.parsed().value("error", "").empty()) << target << ": a JSON error that says why";
        EXPECT_EQ(call(http::verb::get, target, {}, {{"Authorization", "Bearer not-a-token-at-all"}}).status, 401U)
            << target;
        EXPECT_EQ(call(http::verb::get, target, {}, as_viewer()).status, 200U) << target;
        EXPECT_EQ(get(target).status, 200U) << target;
    }
    const std::vector<std::string> actions{"/api/containers/" + name + "/restart",
                                           "/api/containers/" + name + "/stop",
                                           "/api/containers/" + name + "/start",
                                           "/api/containers/" + name + "/heal",
                                           "/api/incidents/1/resolve",
                                           "/api/docker/errors/1/resolve"};
    for (const auto& target : actions) {
        EXPECT_EQ(call(http::verb::post, target).status, 401U) << target;
        EXPECT_EQ(call(http::verb::post, target, {}, as_viewer()).status, 403U) << target << ": a viewer only reads";
    }
    const auto before = run(m_client->inspect_container(name));
    ASSERT_TRUE(before);
    EXPECT_EQ(call(http::verb::post, "/api/containers/" + name + "/restart", {}, as_viewer()).status, 403U);
    EXPECT_EQ(run(m_client->inspect_container(name))->started_at, before->started_at)
        << "the viewer's restart did nothing";

    // The operator restarts, stops and starts it; each is journaled as a person's action.
    EXPECT_EQ(post("/api/containers/" + name + "/restart").status, 200U);
    EXPECT_NE(run(m_client->inspect_container(name))->started_at, before->started_at) << "restarted for real";
    EXPECT_EQ(post("/api/containers/" + name + "/stop").status, 200U);
    EXPECT_FALSE(run(m_client->inspect_container(name))->running);
    EXPECT_EQ(post("/api/containers/" + name + "/start").status, 200U);
    EXPECT_TRUE(run(m_client->inspect_container(name))->running);
    const auto journal = get("/api/docker/recovery?container=" + name).parsed();
    ASSERT_EQ(journal["total"], 3);
    EXPECT_EQ(journal["actions"][0]["action"], "start_container");
    EXPECT_EQ(journal["actions"][2]["action"], "restart_container");
    EXPECT_EQ(journal["actions"][2]["state"], "succeeded");

    // Unknown routes and methods.
    EXPECT_EQ(get("/api/nothing").status, 404U);
    EXPECT_EQ(call(http::verb::delete_, "/api/containers", {}, as_operator()).status, 405U);
    EXPECT_EQ(post("/api/containers/no-such-container-here/restart").status, 404U);
}

TEST_F(ApiTest, ABrowserLogsInOnceAndItsHttpOnlyCookieWorksForStreamsButNotFromAnotherOrigin)
{
    start_api();
    EXPECT_EQ(call(http::verb::post, "/api/login", R"({"token":"wrong-token-wrong-token"})").status, 401U);
    const auto login = call(http::verb::post, "/api/login", json{{"token", m_tokens.viewer_token}}.dump(),
                            {{"Origin", "http://127.0.0.1:" + std::to_string(m_port)}});
    ASSERT_EQ(login.status, 200U) << login.body;
    EXPECT_EQ(login.parsed()["role"], "viewer");
    const auto cookie = login.headers.at("set-cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    const auto session = cookie.substr(0, cookie.find(';'));
    const Headers with_cookie{{"Cookie", session}};
    EXPECT_EQ(call(http::verb::get, "/api/session", {}, with_cookie).parsed()["role"], "viewer");

    // EventSource cannot send headers: the cookie is enough for a stream.
    SseClient events(m_io.get_executor());
    EXPECT_EQ(run(events.open(m_port, "/api/events/stream", with_cookie)), 200U);
    EXPECT_NE(events.header().find("text/event-stream"), std::string::npos);
    events.close();

    // A state-changing request from another origin is refused, even with a valid operator session.
    const auto operator_login = call(http::verb::post, "/api/login", json{{"token", m_tokens.operator_token}}.dump());
    const auto operator_cookie = operator_login.headers.at("set-cookie");
    const Headers operator_session{{"Cookie", operator_cookie.substr(0, operator_cookie.find(';'))}};
    auto cross = operator_session;
    cross.emplace_back("Origin", "http://evil.example");
    const auto refused = call(http::verb::post, "/api/incidents/1/resolve", "{}", cross);
    EXPECT_EQ(refused.status, 403U);
    EXPECT_NE(refused.parsed().value("error", "").find("another origin"), std::string::npos);
    auto fetch_site = operator_session;
    fetch_site.emplace_back("Sec-Fetch-Site", "cross-site");
    EXPECT_EQ(call(http::verb::post, "/api/incidents/1/resolve", "{}", fetch_site).status, 403U);
    auto same = operator_session;
    same.emplace_back("Origin", fmt::format("http://127.0.0.1:{}", m_port));
    EXPECT_EQ(call(http::verb::post, "/api/incidents/1/resolve", "{}", same).status, 404U)
        << "same origin goes through (and finds no incident 1)";

    // Logging out ends the session.
    EXPECT_EQ(call(http::verb::post, "/api/logout", {}, with_cookie).status, 200U);
    EXPECT_EQ(call(http::verb::get, "/api/session", {}, with_cookie).status, 401U);
}

TEST_F(ApiTest, BadInputGetsAJsonErrorNamingTheParameterAndTheServerGoesOn)
{
    api::ServerOptions options;
    options.request_timeout = 1s;
    start_api(options);
    struct Case {
        std::string target;
        unsigned status;
        std::string parameter;
    };
    const std::vector<Case> cases{
        {"/api/docker/errors?per_page=501", 400, "per_page"},
        {"/api/docker/errors?per_page=0", 400, "per_page"},
        {"/api/docker/errors?page=abc", 400, "page"},
        {"/api/docker/errors?since=-5", 400, "since"},
        {"/api/docker/errors?type=NOT_A_TYPE", 400, "type"},
        {"/api/docker/errors?container=bad%20name", 400, "container"},
        {"/api/docker/recovery?state=done", 400, "state"},
        {"/api/incidents?state=closed", 400, "state"},
        {"/api/incidents/abc", 400, "id"},
        {"/api/incidents/999999", 404, ""},
        {"/api/containers/-leading-dash", 400, "name"},
        {"/api/containers/no-such-container-anywhere", 404, ""},
        {"/api/docker/logs/x/stream?tail=-1", 400, "tail"},
        {"/api/docker/logs/x/stream?stdout=maybe", 400, "stdout"},
        {"/api/docker/errors?bad=%zz", 400, ""},
    };
    for (const auto& item : cases) {
        const auto reply = get(item.target);
        EXPECT_EQ(reply.status, item.status) << item.target << ": " << reply.body;
        const auto body = reply.parsed();
        ASSERT_FALSE(body.is_discarded()) << item.target << " answers JSON";
        EXPECT_FALSE(body.value("error", "").empty()) << item.target;
        if (!item.parameter.empty()) {
            EXPECT_EQ(body.value("parameter", ""), item.parameter) << item.target;
        }
    }
    // Bodies and headers are size-limited; a body must be a JSON object.
    EXPECT_EQ(post("/api/incidents/1/resolve", std::string(70000, 'a')).status, 413U);
    EXPECT_EQ(call(http::verb::get, "/api/docker/health", {}, {{"X-Huge", std::string(20000, 'h')}}).status, 431U);
    const auto garbage = post("/api/incidents/1/resolve", "\x01\xff not json");
    EXPECT_EQ(garbage.status, 400U);
    EXPECT_EQ(garbage.parsed().value("parameter", ""), "body");
    EXPECT_EQ(post("/api/containers/x/heal", R"({"action": 7})").status, 400U);

    // A stream for a container that does not exist ends with a clear error event.
    SseClient stream(m_io.get_executor());
    ASSERT_EQ(run(stream.open(m_port, "/api/docker/logs/no-such-container-anywhere/stream", as_operator())), 200U);
    auto error = run(stream.next_matching([](const SseEvent& event) { return event.event == "error"; }, 10s));
    ASSERT_TRUE(error);
    EXPECT_NE(error->parsed().value("error", "").find("no container named no-such-container-anywhere"),
              std::string::npos);
    EXPECT_FALSE(run(stream.next(5s))) << "then the stream ends";

    // A slow client that sends half a request is timed out; the server still answers others.
    EXPECT_TRUE(run(closed_after_half_a_request(m_port, 10s))) << "closed after the request timeout";
    EXPECT_EQ(get("/healthz").status, 200U);
}

TEST_F(ApiTest, ABodyOfTheWrongShapeIsRefusedByFieldAndAFailingHandlerAnswers500WithAnErrorId)
{
    // A dependency that fails the way no handler foresaw: what /metrics asks for throws,
    // first a std::exception, then something that is not one.
    int calls = 0;
    m_followed = [&calls]() -> std::size_t {
        if (++calls % 2 == 1) {
            throw std::runtime_error("the watcher is gone");
        }
        throw 42;
    };
    start_api();
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto failed = get("/metrics");
        EXPECT_EQ(failed.status, 500U) << failed.body;
        EXPECT_NE(failed.parsed().value("error", "").find("error id"), std::string::npos) << failed.body;
    }
    EXPECT_EQ(calls, 2);

    // Wrong types and unknown fields: 400 naming the field, never an exception in the connection.
    struct Case {
        std::string target;
        std::string body;
        std::string parameter;
    };
    const std::vector<Case> cases{
        {"/api/containers/x/heal", R"({"action":"restart_container","confirm":"yes"})", "confirm"},
        {"/api/containers/x/heal", R"({"action":"restart_container","confirm":1})", "confirm"},
        {"/api/containers/x/heal", R"({"action":["restart_container"]})", "action"},
        {"/api/containers/x/heal", R"({"acton":"restart_container"})", "acton"},
        {"/api/incidents/1/resolve", R"({"note":{"text":"x"}})", "note"},
        {"/api/incidents/1/resolve", R"({"note":"x","state":"resolved"})", "state"},
        {"/api/login", R"({"token":null,"role":"operator"})", "role"},
        {"/api/login", R"({"token":12345})", "token"},
    };
    for (const auto& item : cases) {
        const auto reply = post(item.target, item.body);
        EXPECT_EQ(reply.status, 400U) << item.target << " " << item.body << ": " << reply.body;
        EXPECT_EQ(reply.parsed().value("parameter", ""), item.parameter) << item.body;
    }
    // Many of them in a row (once enough to crash medic on stopping), then the server still
    // answers, and the fixture stops it cleanly.
    for (int request = 0; request < 300; ++request) {
        ASSERT_EQ(post("/api/containers/x/heal", R"({"action":"restart_container","confirm":"yes"})").status, 400U);
    }
    EXPECT_EQ(get("/healthz").status, 200U);
}

TEST_F(ApiTest, LiveLogsStartWithTheTailFollowResumeAndCloseTheDockerStreamWhenTheViewerGoes)
{
    api::ServerOptions options;
    options.keep_alive = 1s;
    start_api(options);
    const auto name = unique_name("api-logs");
    // Ten numbered lines, a line a rule knows on stderr, then a numbered line every 100 ms.
    start(name, tools({"sh", "-c",
                       "for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; done; "
                       "echo \"Can't open or create append-only dir appendonlydir: Permission denied\" >&2; "
                       "i=10; while true; do i=$((i+1)); echo line-$i; sleep 0.1; done"}));
    ASSERT_TRUE(wait_until(
        [&] {
            auto lines = run(m_client->last_lines(name, 30));
            return lines.size() > 14;
        },
        20s));

    SseClient viewer(m_io.get_executor());
    ASSERT_EQ(run(viewer.open(m_port, fmt::format("/api/docker/logs/{}/stream?tail=3", name), as_operator())), 200U);
    std::vector<SseEvent> first;
    for (int index = 0; index < 3; ++index) {
        auto event = run(viewer.next_matching([](const SseEvent& e) { return e.event == "line"; }, 10s));
        ASSERT_TRUE(event);
        first.push_back(*event);
    }
    // The tail: exactly the last 3 lines written before the viewer came, in order.
    std::int64_t previous = 0;
    for (const auto& event : first) {
        EXPECT_GT(std::stoll(event.id), previous) << "ids are the lines' times, increasing";
        previous = std::stoll(event.id);
        EXPECT_EQ(event.parsed()["stream"], "stdout");
    }
    auto marker = run(viewer.next(10s));
    ASSERT_TRUE(marker);
    EXPECT_EQ(marker->event, "live") << "the backlog is exactly the 3 lines, then the stream says it is live";
    // Then it follows: new lines arrive as they are written, none skipped or sent twice
    // between the tail and the live lines.
    auto number_of = [](const SseEvent& event) {
        return std::stoi(event.parsed()["text"].get<std::string>().substr(5));
    };
    int expected = number_of(first.back()) + 1;
    std::optional<SseEvent> live;
    while (expected <= number_of(first.back()) + 6) {
        live = run(viewer.next_matching([](const SseEvent& e) { return e.event == "line"; }, 10s));
        ASSERT_TRUE(live) << "live lines follow the tail";
        ASSERT_EQ(number_of(*live), expected) << "in order, without a gap or a repeat";
        ++expected;
    }
    EXPECT_EQ(metric("medic_log_streams"), 1) << "one Docker stream for the viewer";

    // A second viewer of the same container shares that Docker stream.
    SseClient second(m_io.get_executor());
    ASSERT_EQ(run(second.open(m_port, fmt::format("/api/docker/logs/{}/stream?tail=1000&stdout=0", name), as_viewer())),
              200U);
    auto classified = run(second.next_matching([](const SseEvent& e) { return e.event == "line"; }, 10s));
    ASSERT_TRUE(classified) << "the stderr line";
    EXPECT_EQ(classified->parsed()["stream"], "stderr");
    EXPECT_EQ(classified->parsed()["type"], "PERMISSION_DENIED") << "a line a rule matched carries its type";
    EXPECT_FALSE(classified->parsed()["rule"].get<std::string>().empty());
    EXPECT_EQ(metric("medic_log_streams"), 1);
    EXPECT_EQ(metric("medic_sse_clients"), 2);
    // Nothing else comes on a stderr-only stream: only keep-alive comments, every second here.
    auto quiet = run(second.next(3s));
    ASSERT_TRUE(quiet);
    EXPECT_EQ(quiet->event, "live") << "the backlog is out";
    quiet = run(second.next(3s));
    ASSERT_TRUE(quiet);
    EXPECT_TRUE(quiet->comment) << "a keep-alive comment, not a stdout line: " << quiet->data;
    second.close();

    // Resume: a viewer that reconnects with Last-Event-ID gets the lines after it, none before.
    const auto last_id = live->id;
    viewer.close();
    ASSERT_TRUE(wait_until([&] { return metric("medic_log_streams") == 0; }, 10s))
        << "the Docker log stream is closed when the last viewer goes";
    SseClient resumed(m_io.get_executor());
    ASSERT_EQ(run(resumed.open(m_port, fmt::format("/api/docker/logs/{}/stream", name),
                               {{"Authorization", "Bearer " + m_tokens.operator_token}, {"Last-Event-ID", last_id}})),
              200U);
    auto next = run(resumed.next_matching([](const SseEvent& e) { return e.event == "line"; }, 10s));
    ASSERT_TRUE(next);
    EXPECT_EQ(number_of(*next), number_of(*live) + 1) << "the line right after the last one seen";

    // The container stops: the stream says so and ends.
    ASSERT_TRUE(run(m_client->kill_container(name)));
    auto end = run(resumed.next_matching([](const SseEvent& e) { return e.event == "end"; }, 15s));
    ASSERT_TRUE(end) << "an end event when the output ends";
    EXPECT_FALSE(run(resumed.next(5s)));
}

TEST_F(ApiTest, AHealedRedisIsVisibleInTheHealthIncidentsTimelineRecoveryStatsMetricsAndEventStream)
{
    const auto folder = root_owned_folder("api-redis");
    ::chown(folder.c_str(), 999, 999);
    const auto name = unique_name("api-redis");
    auto spec = watched("medic-test/redis");
    spec.binds = {folder + ":/data"};
    start(name, spec);
    ASSERT_TRUE(wait_for_redis(name, 20s));
    ASSERT_EQ(exec(name, {"redis-cli", "set", "kept", "yes"}), "OK\n");
    ASSERT_TRUE(run(m_client->stop_container(name, 10)));
    ASSERT_EQ(run_tool(name, {"chown", "-R", "0:0", "/data"}), 0);
    ASSERT_EQ(run_tool(name, {"chmod", "-R", "go-w", "/data"}), 0);
    start_medic();
    start_api();
    SseClient events(m_io.get_executor());
    ASSERT_EQ(run(events.open(m_port, "/api/events/stream", as_viewer())), 200U);
    ASSERT_TRUE(run(m_client->start_container(name)));

    // The event stream tells of the incident and of the action as they happen.
    auto opened = run(events.next_matching(
        [&](const SseEvent& e) { return e.event == "incident" && e.parsed()["container"] == name; }, 45s));
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->parsed()["type"], "PERMISSION_DENIED");
    auto acted = run(events.next_matching(
        [&](const SseEvent& e) {
            return e.event == "action" && e.parsed()["container"] == name && e.parsed()["state"] == "succeeded";
        },
        45s));
    ASSERT_TRUE(acted);
    EXPECT_EQ(acted->parsed()["action"], "fix_redis_permissions");

    auto incidents = wait_for_json(
        "/api/incidents?container=" + name,
        [](const json& body) { return body["total"] == 1 && body["incidents"][0]["state"] == "resolved"; }, 45s);
    ASSERT_TRUE(incidents) << "healed and resolved";
    EXPECT_TRUE(wait_for_redis(name, 10s));
    EXPECT_EQ(exec(name, {"redis-cli", "get", "kept"}), "yes\n") << "the data is still there";

    // The incident's timeline: the finding with its line, the action with its evidence.
    const auto id = (*incidents)["incidents"][0]["id"].get<std::int64_t>();
    const auto timeline = get(fmt::format("/api/incidents/{}", id)).parsed();
    ASSERT_FALSE(timeline["findings"].empty());
    EXPECT_EQ(timeline["findings"][0]["type"], "PERMISSION_DENIED");
    EXPECT_NE(timeline["findings"][0]["text"].get<std::string>().find("Permission denied"), std::string::npos);
    ASSERT_FALSE(timeline["actions"].empty());
    const auto& action = timeline["actions"].back();
    EXPECT_EQ(action["action"], "fix_redis_permissions");
    EXPECT_EQ(action["state"], "succeeded");
    EXPECT_FALSE(action["before"].get<std::string>().empty()) << "evidence from before";
    EXPECT_FALSE(action["after"].get<std::string>().empty()) << "and after";

    // Findings, paginated and filtered, with their total.
    const auto errors = get(fmt::format("/api/docker/errors?container={}&type=PERMISSION_DENIED&per_page=1", name));
    EXPECT_EQ(errors.status, 200U);
    EXPECT_GE(errors.parsed()["total"].get<int>(), 1);
    EXPECT_EQ(errors.parsed()["errors"].size(), 1U);
    EXPECT_EQ(get("/api/docker/errors?type=PORT_CONFLICT&container=" + name).parsed()["total"], 0);
    const auto stats = get("/api/docker/errors/stats").parsed();
    EXPECT_GE(stats["by_type"]["PERMISSION_DENIED"].get<int>(), 1);
    EXPECT_GE(stats["by_container"][name].get<int>(), 1);
    EXPECT_EQ(stats["by_hour"].size(), 48U);
    EXPECT_GE(stats["by_hour"].back()["by_type"]["PERMISSION_DENIED"].get<int>(), 1) << "counted in this hour";
    EXPECT_GE(stats["trend"]["last_24h"].get<int>(), 1);

    // Recovery history and its success rate.
    const auto recovery = get("/api/docker/recovery?container=" + name + "&state=succeeded").parsed();
    EXPECT_GE(recovery["total"].get<int>(), 1);
    const auto recovery_stats = get("/api/docker/recovery/stats").parsed();
    EXPECT_GE(recovery_stats["by_action"]["fix_redis_permissions"]["succeeded"].get<int>(), 1);
    EXPECT_GT(recovery_stats["by_type"]["PERMISSION_DENIED"]["success_rate"].get<double>(), 0.0);
    EXPECT_GT(recovery_stats["mean_time_to_recover_ms"].get<double>(), 0.0);

    // The health overview and the container's page.
    auto health = wait_for_json(
        "/api/docker/health",
        [&](const json& body) {
            for (const auto& container : body["containers"]) {
                if (container["name"] == name) {
                    return container["state"] == "running" && container["open_incidents"] == 0 &&
                           !container["last_action"].is_null();
                }
            }
            return false;
        },
        10s);
    ASSERT_TRUE(health) << "the overview shows it running, no open incident, with its last action";
    EXPECT_TRUE((*health)["daemon"]["reachable"].get<bool>());
    const auto page = get("/api/containers/" + name).parsed();
    EXPECT_EQ(page["profile"], "redis");
    EXPECT_FALSE(page["incidents"].empty());
    EXPECT_FALSE(page["actions"].empty());
    // The examination medic made before it acted: what Redis' user could not do.
    ASSERT_TRUE(page["examination"].is_object()) << page.dump(2);
    const auto before = get("/api/containers/" + name + "/examination");
    ASSERT_EQ(before.status, 200U) << before.body;
    bool saw_the_cause = false;
    const auto examination = before.parsed(); // kept: a range over a temporary's member dangles
    for (const auto& check : examination["checks"]) {
        saw_the_cause = saw_the_cause || (check["kind"] == "mount_access" && check["outcome"] == "failed" &&
                                          check["finding"]["type"] == "PERMISSION_DENIED");
    }
    EXPECT_TRUE(saw_the_cause) << before.body;
    // Examined again on request (an operator's POST): now every check passes.
    EXPECT_EQ(call(http::verb::post, "/api/containers/" + name + "/examine", {}, as_viewer()).status, 403U)
        << "viewers only look";
    const auto again = post("/api/containers/" + name + "/examine");
    ASSERT_EQ(again.status, 200U) << again.body;
    EXPECT_EQ(again.parsed()["failed"], 0) << again.body;
    EXPECT_EQ(again.parsed()["reason"], "asked");

    // Prometheus.
    EXPECT_GE(metric("medic_incidents_total{type=\"PERMISSION_DENIED\"}"), 1);
    EXPECT_GE(metric("medic_actions_total{action=\"fix_redis_permissions\",result=\"succeeded\"}"), 1);
    EXPECT_GE(metric("medic_recovery_latency_seconds_count"), 1);
    EXPECT_GE(metric("medic_sse_clients"), 1);
}

TEST_F(ApiTest, APersonResolvesAnIncidentWithANoteAndHealsOnDemand)
{
    start_medic();
    start_api();
    const auto name = unique_name("api-resolve");
    // A running service that logged a permission error once: medic records it and, since the
    // service runs, waits for a person.
    auto spec = watched(std::string(k_tools_image),
                        {"sh", "-c",
                         "if [ ! -f /tmp/said ]; then touch /tmp/said; echo \"Can't open or create append-only dir "
                         "appendonlydir: Permission denied\" >&2; fi; exec sleep 300"});
    start(name, spec);
    auto open = wait_for_json(
        "/api/incidents?state=open&container=" + name, [](const json& body) { return body["total"] >= 1; }, 30s);
    ASSERT_TRUE(open) << "an open incident from the line";
    const auto id = (*open)["incidents"][0]["id"].get<std::int64_t>();

    // Without an action, heal runs the open incident's playbook.
    const auto playbook = post("/api/containers/" + name + "/heal");
    EXPECT_EQ(playbook.status, 202U) << playbook.body;
    EXPECT_EQ(playbook.parsed()["incident"], id);

    // A person resolves it with a note.
    const auto resolved = post(fmt::format("/api/incidents/{}/resolve", id), R"({"note":"known noise in tests"})");
    ASSERT_EQ(resolved.status, 200U) << resolved.body;
    EXPECT_EQ(resolved.parsed()["state"], "resolved");
    EXPECT_NE(resolved.parsed()["note"].get<std::string>().find("known noise in tests"), std::string::npos);
    EXPECT_EQ(get(fmt::format("/api/incidents/{}", id)).parsed()["state"], "resolved");
    EXPECT_EQ(post("/api/containers/" + name + "/heal").status, 409U) << "nothing open to heal any more";

    // With an action: that one, journaled and verified; destructive ones need a confirmation.
    EXPECT_EQ(post("/api/containers/" + name + "/heal", R"({"action":"no_such_action"})").status, 400U);
    const auto destructive = post("/api/containers/" + name + "/heal", R"({"action":"reset_redis_data"})");
    EXPECT_EQ(destructive.status, 400U) << destructive.body;
    EXPECT_EQ(destructive.parsed().value("parameter", ""), "confirm");
    const auto before = run(m_client->inspect_container(name));
    const auto healed = post("/api/containers/" + name + "/heal", R"({"action":"restart_container"})");
    EXPECT_EQ(healed.status, 200U) << healed.body;
    EXPECT_EQ(healed.parsed()["action"], "restart_container");
    EXPECT_EQ(healed.parsed()["state"], "succeeded");
    EXPECT_NE(run(m_client->inspect_container(name))->started_at, before->started_at);

    // Resolving through a finding's id resolves its incident.
    const auto findings = get("/api/docker/errors?container=" + name).parsed();
    ASSERT_FALSE(findings["errors"].empty());
    const auto finding_id = findings["errors"][0]["id"].get<std::int64_t>();
    EXPECT_EQ(findings["errors"][0]["incident_id"], id);
    EXPECT_EQ(post(fmt::format("/api/docker/errors/{}/resolve", finding_id)).parsed()["state"], "resolved");
    EXPECT_EQ(post("/api/docker/errors/99999999/resolve").status, 404U);
}

TEST_F(ApiTest, TheOpenApiDocumentNamesEveryRoute)
{
    start_api();
    const auto document = get("/api/openapi.json").parsed();
    ASSERT_FALSE(document.is_discarded());
    EXPECT_TRUE(document["openapi"].get<std::string>().starts_with("3."));
    for (const auto& route : api::ApiServer::routes()) {
        const auto space = route.find(' ');
        auto method = route.substr(0, space);
        std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
        const auto path = route.substr(space + 1);
        ASSERT_TRUE(document["paths"].contains(path)) << path << " is not documented";
        EXPECT_TRUE(document["paths"][path].contains(method)) << route << " is not documented";
    }
}

TEST_F(ApiTest, TheCliReadsLogsAndStatsFromARunningMedicAndSaysWhyWhenItCannot)
{
    const auto port = free_loopback_port();
    const auto data_dir = m_data_dir + "/cli";
    std::filesystem::create_directories(data_dir);
    const auto name = unique_name("api-cli");
    start(name, watched(std::string(k_tools_image),
                        {"sh", "-c",
                         "echo hello from the cli test; echo open /srv/app.db: permission denied; "
                         "exec sleep 300"}));
    ChildProcess medic({MEDIC_BINARY, "--docker-host", docker_host(), "run", "--data-dir", data_dir, "--listen",
                        fmt::format("127.0.0.1:{}", port), "--watch-label", "medic.e2e.run=" + m_run_label},
                       {"MEDIC_CONFIG="});
    m_port = port;
    ASSERT_TRUE(wait_until([&] { return call(http::verb::get, "/healthz").status == 200; }, 20s)) << medic.output();
    const auto cli = [&](std::vector<std::string> arguments, std::vector<std::string> environment = {}) {
        arguments.insert(arguments.begin(), MEDIC_BINARY);
        for (const auto& argument :
             {std::string("--api"), fmt::format("127.0.0.1:{}", port), std::string("--data-dir"), data_dir}) {
            arguments.push_back(argument);
        }
        ChildProcess child(std::move(arguments), std::move(environment));
        const int code = child.wait(30s);
        return std::make_pair(code, child.output());
    };

    // The container's lines, the classified one marked with its type.
    std::pair<int, std::string> logs;
    EXPECT_TRUE(wait_until(
        [&] {
            logs = cli({"logs", name, "--tail", "10", "--types"});
            return logs.second.find("[PERMISSION_DENIED] open /srv/app.db: permission denied") != std::string::npos;
        },
        20s))
        << logs.second;
    EXPECT_EQ(logs.first, 0) << logs.second;
    EXPECT_NE(logs.second.find("hello from the cli test"), std::string::npos) << logs.second;

    const auto [stats_code, stats_text] = cli({"stats", "--json"});
    EXPECT_EQ(stats_code, 0) << stats_text;
    const auto stats = nlohmann::json::parse(stats_text, nullptr, false);
    EXPECT_TRUE(stats.is_object() && stats["errors"].is_object() && stats["recovery"].is_object()) << stats_text;

    // What goes wrong is said: no such container, a wrong token, nobody listening.
    const auto [missing_code, missing] = cli({"logs", "no-such-container-for-the-cli"});
    EXPECT_EQ(missing_code, 1) << missing;
    EXPECT_NE(missing.find("no container named no-such-container-for-the-cli"), std::string::npos) << missing;
    const auto [refused_code, refused] = cli({"stats"}, {"MEDIC_API_TOKEN=not-the-token"});
    EXPECT_EQ(refused_code, 2) << refused;
    EXPECT_NE(refused.find("token"), std::string::npos) << refused;
    EXPECT_NE(refused.find("401"), std::string::npos) << refused;
    ChildProcess nobody(
        {MEDIC_BINARY, "stats", "--api", fmt::format("127.0.0.1:{}", free_loopback_port()), "--data-dir", data_dir});
    EXPECT_EQ(nobody.wait(30s), 2) << nobody.output();
    EXPECT_NE(nobody.output().find("medic run is not answering"), std::string::npos) << nobody.output();
    EXPECT_EQ(medic.stop(SIGTERM, 20s), 0) << medic.output();
}

TEST_F(ApiTest, MedicRunMakesPrivateTokensAndRefusesAPublicAddressWithoutAnExplicitOne)
{
    const auto port = free_loopback_port();
    const auto data_dir = m_data_dir + "/run";
    std::filesystem::create_directories(data_dir);
    {
        ChildProcess medic({MEDIC_BINARY, "--docker-host", docker_host(), "run", "--data-dir", data_dir, "--listen",
                            fmt::format("127.0.0.1:{}", port), "--watch-label", "medic.e2e.run=" + m_run_label},
                           {"MEDIC_CONFIG="});
        m_port = port;
        ASSERT_TRUE(wait_until([&] { return call(http::verb::get, "/healthz").status == 200; }, 20s)) << medic.output();
        struct stat info {};
        ASSERT_EQ(::stat((data_dir + "/api-token").c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0600U);
        ASSERT_EQ(::stat((data_dir + "/api-viewer-token").c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0600U);
        std::ifstream file(data_dir + "/api-token");
        std::string token;
        std::getline(file, token);
        EXPECT_EQ(call(http::verb::get, "/api/docker/health", {}, {{"Authorization", "Bearer " + token}}).status, 200U);
        EXPECT_EQ(medic.stop(SIGTERM, 20s), 0) << medic.output();
    }
    // Not loopback and no token configured: medic refuses to start, and says what to do. It
    // exits before it binds anything.
    ChildProcess refused({MEDIC_BINARY, "--docker-host", docker_host(), "run", "--data-dir", data_dir, "--listen",
                          fmt::format("0.0.0.0:{}", port)},
                         {"MEDIC_CONFIG="});
    EXPECT_EQ(refused.wait(30s), 2);
    EXPECT_NE(refused.output().find("api_token"), std::string::npos) << refused.output();
}

} // namespace
} // namespace medic::e2e
