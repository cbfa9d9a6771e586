#pragma once
// Private to src/api/: the server's state and its routes. The bodies are split by
// subject, so that a change to one route compiles one part: api_server.cpp
// (listening and the connection loop), routing.cpp (the route table, matching,
// access, the UI's files), replies.cpp (JSON replies, body readers),
// routes_containers.cpp (health, containers and what is done to them),
// routes_history.cpp (incidents, errors, recovery) and routes_session.cpp (login,
// documents, metrics, live streams).

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <tl/expected.hpp>

#include "api/api_server.hpp"
#include "api/event_bus.hpp"
#include "api/http.hpp"
#include "api/log_hub.hpp"
#include "api/metrics.hpp"
#include "api/query.hpp"
#include "docker/types.hpp"

namespace medic::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Captures = std::vector<std::string>;

enum class Access : std::uint8_t { anyone, viewer, operator_only };

/// 400 naming the parameter that was wrong.
Response bad_parameter(const Request& request, const ParameterError& error);
/// The parsed JSON object of a body, whose members must be among `fields` (400 naming
/// the first that is not); an empty body is an empty object. Read the members with
/// body_string and body_bool: they answer 400 for a wrong type, never throw.
tl::expected<nlohmann::json, ParameterError> body_object(const Request& request,
                                                         std::initializer_list<std::string_view> fields);
/// A boolean member of a body; absent or null is false.
tl::expected<bool, ParameterError> body_bool(const nlohmann::json& body, const char* name);
/// A string member of a body, at most `limit` bytes.
tl::expected<std::string, ParameterError> body_string(const nlohmann::json& body, const char* name, std::size_t limit);

struct ApiServer::Impl {
    using Handler = asio::awaitable<Response> (Impl::*)(const Request&, const Target&, const Captures&);
    using StreamHandler = asio::awaitable<void> (Impl::*)(Request, Target, Captures, tcp::socket);

    struct Route {
        http::verb method;
        std::vector<std::string_view> pattern; ///< ":" matches any one segment
        Access access;
        Handler handler = nullptr;
        StreamHandler stream = nullptr;
    };

    static std::vector<Route> table();

    Impl(asio::any_io_executor executor_in, ApiDependencies dependencies, ServerOptions options_in);

    // ---- connections ----------------------------------------------------------------

    asio::awaitable<void> accept_loop();

    static asio::awaitable<void> serve_connection(Impl* self, tcp::socket socket);

    asio::awaitable<void> exchange_requests(beast::tcp_stream& stream);

    asio::awaitable<bool> write(beast::tcp_stream& stream, Response response);

    http::status find_route(const Target& target, http::verb method, const Route*& route, Captures& captures) const;

    /// A reply that refuses the request, or nothing when it may go on.
    std::optional<Response> check_access(const Request& request, const Route& route);

    std::optional<Response> static_file(const Request& request, const Target& target) const;

    // ---- health and containers --------------------------------------------------------

    /// Lists the containers again; the health body is rebuilt on its next read.
    asio::awaitable<void> refresh_containers();

    asio::awaitable<void> refresh_loop();

    /// Open incidents per container name, and each container's newest action.
    nlohmann::json containers_json();

    const std::string& health_text();

    asio::awaitable<void> ensure_listed();

    asio::awaitable<Response> healthz(const Request& request, const Target&, const Captures&);

    asio::awaitable<Response> health(const Request& request, const Target&, const Captures&);

    asio::awaitable<Response> containers(const Request& request, const Target&, const Captures&);

    /// The container's details, or the reply that says why not.
    asio::awaitable<tl::expected<docker::ContainerDetails, Response>> inspect(const Request& request,
                                                                              const std::string& name);

    asio::awaitable<Response> container(const Request& request, const Target&, const Captures& captures);

    /// The newest examination of a container: each check, pass or fail, and what it saw.
    asio::awaitable<Response> container_examination(const Request& request, const Target&, const Captures& captures);

    /// Examines a container now (changes nothing: helper containers only look).
    asio::awaitable<Response> container_examine(const Request& request, const Target&, const Captures& captures);

    /// start, stop or restart, asked by a person: journaled like medic's own actions.
    asio::awaitable<Response> container_operation(const Request& request, const std::string& name,
                                                  std::string_view operation);

    asio::awaitable<Response> container_start(const Request& request, const Target&, const Captures& captures);
    asio::awaitable<Response> container_stop(const Request& request, const Target&, const Captures& captures);
    asio::awaitable<Response> container_restart(const Request& request, const Target&, const Captures& captures);

    asio::awaitable<Response> container_heal(const Request& request, const Target&, const Captures& captures);

    // ---- incidents and findings -------------------------------------------------------

    static tl::expected<store::Page, ParameterError> page_of(const Target& target);

    /// What every list route takes: the page, and optionally a container's name.
    struct ListQuery {
        store::Page page;
        std::optional<std::string> container;
    };

    static tl::expected<ListQuery, ParameterError> list_query(const Target& target);

    /// One page of a list: its rows as `name`, with the page, its size and the total.
    template <typename Row, typename ToJson>
    static Response page_reply(const Request& request, const store::Page& page, std::int64_t total, const char* name,
                               const std::vector<Row>& rows, ToJson to_json)
    {
        nlohmann::json body{{"page", page.page}, {"per_page", page.per_page}, {"total", total}};
        body[name] = nlohmann::json::array();
        for (const auto& row : rows) {
            body[name].push_back(to_json(row));
        }
        return json_reply(request, http::status::ok, body);
    }

    asio::awaitable<Response> incidents(const Request& request, const Target& target, const Captures&);

    static tl::expected<std::int64_t, ParameterError> id_of(const std::string& text);

    asio::awaitable<Response> incident(const Request& request, const Target&, const Captures& captures);

    Response resolve(const Request& request, std::int64_t incident_id);

    asio::awaitable<Response> resolve_incident(const Request& request, const Target&, const Captures& captures);

    asio::awaitable<Response> resolve_finding(const Request& request, const Target&, const Captures& captures);

    asio::awaitable<Response> errors(const Request& request, const Target& target, const Captures&);

    asio::awaitable<Response> error_stats(const Request& request, const Target&, const Captures&);

    asio::awaitable<Response> recovery(const Request& request, const Target& target, const Captures&);

    asio::awaitable<Response> recovery_stats(const Request& request, const Target&, const Captures&);

    // ---- auth, documents, metrics -----------------------------------------------------

    asio::awaitable<Response> login(const Request& request, const Target&, const Captures&);

    asio::awaitable<Response> logout(const Request& request, const Target&, const Captures&);

    asio::awaitable<Response> session(const Request& request, const Target&, const Captures&);

    asio::awaitable<Response> openapi(const Request& request, const Target&, const Captures&);

    asio::awaitable<Response> metrics_text(const Request& request, const Target&, const Captures&);

    // ---- streams ----------------------------------------------------------------------

    /// Refuses a stream request with a plain JSON reply on the raw socket.
    asio::awaitable<void> refuse(tcp::socket socket, Response response);

    asio::awaitable<void> log_stream(Request request, Target target, Captures captures, tcp::socket socket);

    asio::awaitable<void> event_stream(Request request, Target, Captures, tcp::socket socket);

    void on_change(const store::Change& change);

    void stop();

    asio::any_io_executor executor;
    ApiDependencies deps;
    ServerOptions options;
    tcp::acceptor acceptor;
    Authenticator auth;
    EventBus events;
    LogHub logs;
    Metrics metrics;
    std::vector<Route> routes;
    std::set<beast::tcp_stream*> live;
    std::set<SseConnection*> sse_connections;
    asio::steady_timer refresh_timer;
    std::vector<docker::ContainerSummary> container_list;
    std::chrono::steady_clock::time_point listed_at{};
    bool docker_reachable = false;
    std::string health_body;
    bool stopping = false;
};

} // namespace medic::api
