#include "api/api_server.hpp"

#include <algorithm>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/event_bus.hpp"
#include "api/http.hpp"
#include "api/log_hub.hpp"
#include "api/metrics.hpp"
#include "api/query.hpp"
#include "api/static_files.hpp"
#include "api/views.hpp"
#include "common/time_format.hpp"
#include "docker/client.hpp"
#include "heal/action_registry.hpp"
#include "heal/heal_engine.hpp"
#include "incident/incident_tracker.hpp"

namespace medic::api {

const std::string& openapi_document(); // generated from src/api/openapi.json

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Captures = std::vector<std::string>;

std::string dump_json(const nlohmann::json& value)
{
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response json_text_reply(const Request& request, http::status status, std::string body)
{
    Response response{status, request.version()};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::cache_control, "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    response.body() = std::move(body);
    return response;
}

Response json_reply(const Request& request, http::status status, const nlohmann::json& body)
{
    return json_text_reply(request, status, dump_json(body));
}

Response error_reply(const Request& request, http::status status, std::string_view message, std::string_view parameter)
{
    nlohmann::json body{{"error", message}};
    if (!parameter.empty()) {
        body["parameter"] = parameter;
    }
    return json_reply(request, status, body);
}

namespace {

enum class Access : std::uint8_t { anyone, viewer, operator_only };

Response bad_parameter(const Request& request, const ParameterError& error)
{
    return error_reply(request, http::status::bad_request, error.message, error.parameter);
}

/// Splits "host:port" ("[::1]:9470" too).
std::pair<std::string, std::string> split_listen(const std::string& listen)
{
    const auto colon = listen.rfind(':');
    auto host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    return {host, listen.substr(colon + 1)};
}

/// The parsed JSON object of a body; an empty body is an empty object.
tl::expected<nlohmann::json, ParameterError> body_object(const Request& request)
{
    if (request.body().empty()) {
        return nlohmann::json::object();
    }
    auto parsed = nlohmann::json::parse(request.body(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return tl::unexpected(ParameterError{"body", "the body must be a JSON object"});
    }
    return parsed;
}

/// A string member of a body, at most `limit` bytes.
tl::expected<std::string, ParameterError> body_string(const nlohmann::json& body, const char* name, std::size_t limit)
{
    const auto found = body.find(name);
    if (found == body.end() || found->is_null()) {
        return std::string();
    }
    if (!found->is_string()) {
        return tl::unexpected(ParameterError{name, fmt::format("{} must be a string", name)});
    }
    auto text = found->get<std::string>();
    if (text.size() > limit) {
        return tl::unexpected(ParameterError{name, fmt::format("{} is longer than {} bytes", name, limit)});
    }
    return text;
}

nlohmann::json outcomes_json(const store::Outcomes& outcomes)
{
    return {{"total", outcomes.total},
            {"succeeded", outcomes.succeeded},
            {"failed", outcomes.failed},
            {"success_rate", outcomes.total > 0 ? nlohmann::json(static_cast<double>(outcomes.succeeded) /
                                                                 static_cast<double>(outcomes.total))
                                                : nlohmann::json(nullptr)}};
}

/// The Last-Event-ID header of a stream that resumes; 0 when there is none.
tl::expected<std::int64_t, ParameterError> last_event_id(const Request& request)
{
    Target header;
    header.parameters["Last-Event-ID"] = std::string(request["Last-Event-ID"]);
    return integer_parameter(header, "Last-Event-ID", 0, 0, std::numeric_limits<std::int64_t>::max());
}

std::string sse_header()
{
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
           "X-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
}

} // namespace

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

    static std::vector<Route> table()
    {
        return {
            {http::verb::get, {"healthz"}, Access::anyone, &Impl::healthz},
            {http::verb::get, {"metrics"}, Access::viewer, &Impl::metrics_text},
            {http::verb::post, {"api", "login"}, Access::anyone, &Impl::login},
            {http::verb::post, {"api", "logout"}, Access::anyone, &Impl::logout},
            {http::verb::get, {"api", "session"}, Access::viewer, &Impl::session},
            {http::verb::get, {"api", "openapi.json"}, Access::viewer, &Impl::openapi},
            {http::verb::get, {"api", "docker", "health"}, Access::viewer, &Impl::health},
            {http::verb::get, {"api", "docker", "errors"}, Access::viewer, &Impl::errors},
            {http::verb::get, {"api", "docker", "errors", "stats"}, Access::viewer, &Impl::error_stats},
            {http::verb::post,
             {"api", "docker", "errors", ":", "resolve"},
             Access::operator_only,
             &Impl::resolve_finding},
            {http::verb::get, {"api", "docker", "recovery"}, Access::viewer, &Impl::recovery},
            {http::verb::get, {"api", "docker", "recovery", "stats"}, Access::viewer, &Impl::recovery_stats},
            {http::verb::get, {"api", "docker", "logs", ":", "stream"}, Access::viewer, nullptr, &Impl::log_stream},
            {http::verb::get, {"api", "containers"}, Access::viewer, &Impl::containers},
            {http::verb::get, {"api", "containers", ":"}, Access::viewer, &Impl::container},
            {http::verb::post, {"api", "containers", ":", "start"}, Access::operator_only, &Impl::container_start},
            {http::verb::post, {"api", "containers", ":", "stop"}, Access::operator_only, &Impl::container_stop},
            {http::verb::post, {"api", "containers", ":", "restart"}, Access::operator_only, &Impl::container_restart},
            {http::verb::post, {"api", "containers", ":", "heal"}, Access::operator_only, &Impl::container_heal},
            {http::verb::get, {"api", "containers", ":", "examination"}, Access::viewer, &Impl::container_examination},
            {http::verb::post, {"api", "containers", ":", "examine"}, Access::operator_only, &Impl::container_examine},
            {http::verb::get, {"api", "incidents"}, Access::viewer, &Impl::incidents},
            {http::verb::get, {"api", "incidents", ":"}, Access::viewer, &Impl::incident},
            {http::verb::post, {"api", "incidents", ":", "resolve"}, Access::operator_only, &Impl::resolve_incident},
            {http::verb::get, {"api", "events", "stream"}, Access::viewer, nullptr, &Impl::event_stream},
        };
    }

    Impl(asio::any_io_executor executor_in, ApiDependencies dependencies, ServerOptions options_in)
        : executor(std::move(executor_in)), deps(std::move(dependencies)), options(std::move(options_in)),
          acceptor(executor), auth(options.tokens), logs(executor, deps.client, deps.classifier),
          refresh_timer(executor)
    {
        routes = table();
        metrics.add_gauge({"medic_followed_containers", "Containers whose logs medic follows.", [this] {
                               return static_cast<double>(deps.followed_containers ? deps.followed_containers() : 0);
                           }});
        metrics.add_gauge({"medic_sse_clients", "Clients of the live streams (logs and events).",
                           [this] { return static_cast<double>(logs.viewers() + events.subscribers()); }});
        metrics.add_gauge({"medic_log_streams", "Docker log streams open for live-log viewers.",
                           [this] { return static_cast<double>(logs.channels()); }});
        metrics.add_gauge({"medic_open_incidents", "Incidents not resolved yet.",
                           [this] { return static_cast<double>(deps.tracker.open_incidents().size()); }});
        metrics.add_gauge({"medic_docker_reachable", "1 when the Docker daemon answered the last list.",
                           [this] { return docker_reachable ? 1.0 : 0.0; }});
    }

    // ---- connections ----------------------------------------------------------------

    asio::awaitable<void> accept_loop()
    {
        while (!stopping) {
            auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (error) {
                if (stopping || error == asio::error::operation_aborted) {
                    break;
                }
                spdlog::warn("API: accept failed: {}", error.message());
                continue;
            }
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored); // replies and events go out whole, at once
            asio::co_spawn(executor, serve_connection(this, std::move(socket)), asio::detached);
        }
    }

    static asio::awaitable<void> serve_connection(Impl* self, tcp::socket socket)
    {
        beast::tcp_stream stream(std::move(socket));
        self->live.insert(&stream);
        co_await self->exchange_requests(stream);
        self->live.erase(&stream);
    }

    asio::awaitable<void> exchange_requests(beast::tcp_stream& stream)
    {
        beast::flat_buffer buffer;
        bool first = true;
        if (live.size() > options.max_connections) {
            Request none;
            co_await write(
                stream, error_reply(none, http::status::service_unavailable, "too many connections; try again later"));
            co_return;
        }
        while (!stopping) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
            parser.body_limit(options.max_body_bytes);
            stream.expires_after(first ? options.request_timeout : options.idle_timeout);
            first = false;
            auto [error, size] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            if (error) {
                Request none;
                if (error == http::error::body_limit) {
                    co_await write(
                        stream, error_reply(none, http::status::payload_too_large,
                                            fmt::format("the body is larger than {} bytes", options.max_body_bytes)));
                } else if (error == http::error::header_limit) {
                    co_await write(stream, error_reply(none, http::status::request_header_fields_too_large,
                                                       fmt::format("the headers are larger than {} bytes",
                                                                   options.max_header_bytes)));
                } else if (error != http::error::end_of_stream && error != beast::error::timeout &&
                           error != asio::error::connection_reset && error != asio::error::operation_aborted &&
                           error != asio::error::eof && size > 0) {
                    co_await write(stream, error_reply(none, http::status::bad_request,
                                                       fmt::format("malformed request: {}", error.message())));
                }
                break;
            }
            Request request = parser.release();
            stream.expires_after(options.request_timeout);
            const bool keep_alive = request.keep_alive();
            auto target = parse_target(request.target());
            if (!target) {
                auto response = bad_parameter(request, target.error());
                response.keep_alive(false);
                co_await write(stream, std::move(response));
                break;
            }
            const Route* route = nullptr;
            Captures captures;
            const auto found = find_route(*target, request.method(), route, captures);
            if (found == http::status::ok && route->stream != nullptr) {
                if (auto refusal = check_access(request, *route)) {
                    co_await write(stream, std::move(*refusal));
                    break;
                }
                stream.expires_never();
                co_await (this->*(route->stream))(std::move(request), std::move(*target), std::move(captures),
                                                  stream.release_socket());
                co_return;
            }
            Response response;
            if (found == http::status::ok) {
                if (auto refusal = check_access(request, *route)) {
                    response = std::move(*refusal);
                } else {
                    response = co_await (this->*(route->handler))(request, *target, captures);
                }
            } else if (found == http::status::method_not_allowed) {
                response = error_reply(
                    request, found,
                    fmt::format("{} is not allowed on {}", std::string(request.method_string()), target->path));
            } else if (auto file = static_file(request, *target)) {
                response = std::move(*file);
            } else {
                response =
                    error_reply(request, http::status::not_found,
                                fmt::format("no route {} {}", std::string(request.method_string()), target->path));
            }
            response.keep_alive(keep_alive);
            if (!co_await write(stream, std::move(response)) || !keep_alive) {
                break;
            }
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    asio::awaitable<bool> write(beast::tcp_stream& stream, Response response)
    {
        metrics.count_request(response.result_int());
        response.prepare_payload();
        stream.expires_after(options.request_timeout);
        auto [error, size] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        co_return !error;
    }

    http::status find_route(const Target& target, http::verb method, const Route*& route, Captures& captures) const
    {
        bool path_known = false;
        for (const auto& candidate : routes) {
            if (candidate.pattern.size() != target.segments.size()) {
                continue;
            }
            Captures matched;
            bool equal = true;
            for (std::size_t index = 0; index < candidate.pattern.size() && equal; ++index) {
                if (candidate.pattern[index] == ":") {
                    matched.push_back(target.segments[index]);
                } else {
                    equal = candidate.pattern[index] == target.segments[index];
                }
            }
            if (!equal) {
                continue;
            }
            path_known = true;
            if (candidate.method == method) {
                route = &candidate;
                captures = std::move(matched);
                return http::status::ok;
            }
        }
        return path_known ? http::status::method_not_allowed : http::status::not_found;
    }

    /// A reply that refuses the request, or nothing when it may go on.
    std::optional<Response> check_access(const Request& request, const Route& route)
    {
        if (request.method() != http::verb::get &&
            is_cross_origin(request[http::field::origin], request["Sec-Fetch-Site"], request[http::field::host])) {
            return error_reply(request, http::status::forbidden,
                               "a state-changing request from another origin is refused");
        }
        if (route.access == Access::anyone) {
            return std::nullopt;
        }
        const auto role = auth.role_of_request(request[http::field::authorization], request[http::field::cookie],
                                               Authenticator::Clock::now());
        if (!role) {
            auto reply = error_reply(request, http::status::unauthorized,
                                     "a token is needed: send Authorization: Bearer <token> (the token is in the data "
                                     "dir's api-token file) or log in");
            reply.set(http::field::www_authenticate, "Bearer realm=\"medic\"");
            return reply;
        }
        if (route.access == Access::operator_only && *role != Role::operator_role) {
            return error_reply(request, http::status::forbidden,
                               "this needs the operator role; the token is a viewer's");
        }
        return std::nullopt;
    }

    std::optional<Response> static_file(const Request& request, const Target& target) const
    {
        if (request.method() != http::verb::get && request.method() != http::verb::head) {
            return std::nullopt;
        }
        const auto path = target.path == "/" ? std::string("/index.html") : target.path;
        for (const auto& file : embedded_ui_files()) {
            if (file.path != path) {
                continue;
            }
            Response response{http::status::ok, request.version()};
            response.set(http::field::content_type, file.content_type);
            response.set("X-Content-Type-Options", "nosniff");
            response.set("X-Frame-Options", "DENY");
            response.set("Content-Security-Policy",
                         "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                         "connect-src 'self'; frame-ancestors 'none'");
            // Assets are named by their content's hash: they never change under their name.
            response.set(http::field::cache_control,
                         path.starts_with("/assets/") ? "max-age=31536000, immutable" : "no-cache");
            response.body() = std::string(file.body);
            return response;
        }
        return std::nullopt;
    }

    // ---- health and containers --------------------------------------------------------

    /// Lists the containers again; the health body is rebuilt on its next read.
    asio::awaitable<void> refresh_containers()
    {
        docker::ListContainersOptions list;
        list.all = true;
        auto listed = co_await deps.client.list_containers(list);
        docker_reachable = listed.has_value();
        if (listed) {
            container_list = std::move(*listed);
        }
        listed_at = std::chrono::steady_clock::now();
        health_body.clear();
    }

    asio::awaitable<void> refresh_loop()
    {
        while (!stopping) {
            co_await refresh_containers();
            if (stopping) {
                break; // stop() came while listing: its cancel found no wait to end
            }
            refresh_timer.expires_after(options.health_refresh);
            co_await refresh_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    /// Open incidents per container name, and each container's newest action.
    nlohmann::json containers_json()
    {
        std::map<std::string, int> open;
        for (const auto& incident : deps.tracker.open_incidents()) {
            ++open[incident.container_name];
        }
        std::map<std::string, store::ActionRecord> last_actions;
        for (auto& action : deps.store.actions(store::ActionQuery{.page = {1, 500}})) {
            last_actions.try_emplace(action.container_name, std::move(action)); // newest first
        }
        auto list = nlohmann::json::array();
        for (const auto& container : container_list) {
            const auto name = container.names.empty() ? container.id.substr(0, 12) : container.names.front();
            const auto action = last_actions.find(name);
            list.push_back(
                container_json(container, open[name], action == last_actions.end() ? nullptr : &action->second));
        }
        return list;
    }

    const std::string& health_text()
    {
        if (!health_body.empty()) {
            return health_body;
        }
        auto list = containers_json();
        int running = 0;
        int unhealthy = 0;
        for (const auto& container : list) {
            running += container["state"] == "running" ? 1 : 0;
            unhealthy += container["health"] == "unhealthy" ? 1 : 0;
        }
        auto incidents = nlohmann::json::array();
        int escalated = 0;
        for (const auto& incident : deps.tracker.open_incidents()) {
            incidents.push_back(incident_json(incident));
            escalated += incident.state == incident::IncidentState::escalated ? 1 : 0;
        }
        const auto status = !docker_reachable || escalated > 0      ? "unhealthy"
                            : (!incidents.empty() || unhealthy > 0) ? "degraded"
                                                                    : "healthy";
        nlohmann::json body{{"status", status},
                            {"daemon",
                             {{"reachable", docker_reachable},
                              {"version", deps.docker_version},
                              {"api_version", deps.docker_api_version},
                              {"endpoint", deps.client.endpoint().to_string()}}},
                            {"counts",
                             {{"containers", list.size()},
                              {"running", running},
                              {"unhealthy", unhealthy},
                              {"open_incidents", incidents.size()},
                              {"escalated", escalated}}},
                            {"containers", std::move(list)},
                            {"open_incidents", std::move(incidents)},
                            {"generated_at", unix_millis_now()}};
        health_body = dump_json(body);
        return health_body;
    }

    asio::awaitable<void> ensure_listed()
    {
        if (listed_at == std::chrono::steady_clock::time_point{}) {
            co_await refresh_containers();
        }
    }

    asio::awaitable<Response> healthz(const Request& request, const Target&, const Captures&)
    {
        co_return json_reply(request, http::status::ok,
                             {{"status", "ok"}, {"docker", docker_reachable ? "connected" : "unreachable"}});
    }

    asio::awaitable<Response> health(const Request& request, const Target&, const Captures&)
    {
        co_await ensure_listed();
        co_return json_text_reply(request, http::status::ok, health_text());
    }

    asio::awaitable<Response> containers(const Request& request, const Target&, const Captures&)
    {
        co_await ensure_listed();
        nlohmann::json body{{"containers", containers_json()}};
        co_return json_reply(request, http::status::ok, body);
    }

    /// The container's details, or the reply that says why not.
    asio::awaitable<tl::expected<docker::ContainerDetails, Response>> inspect(const Request& request,
                                                                              const std::string& name)
    {
        if (!is_valid_container_name(name)) {
            co_return tl::unexpected(error_reply(request, http::status::bad_request,
                                                 "not a container name: letters, digits, '_', '.' and '-', starting "
                                                 "with a letter or digit, at most 128",
                                                 "name"));
        }
        auto details = co_await deps.client.inspect_container(name);
        if (!details) {
            if (details.error().is_status(404)) {
                co_return tl::unexpected(
                    error_reply(request, http::status::not_found, fmt::format("no container named {}", name)));
            }
            co_return tl::unexpected(
                error_reply(request, http::status::bad_gateway, fmt::format("Docker: {}", details.error().message)));
        }
        co_return std::move(*details);
    }

    asio::awaitable<Response> container(const Request& request, const Target&, const Captures& captures)
    {
        auto details = co_await inspect(request, captures[0]);
        if (!details) {
            co_return std::move(details.error());
        }
        int open = 0;
        for (const auto& incident : deps.tracker.open_incidents()) {
            open += incident.container_name == details->name || incident.container_id == details->id ? 1 : 0;
        }
        auto incidents = deps.store.incidents(store::IncidentQuery{.container = details->name, .page = {1, 50}});
        auto actions = deps.store.actions(store::ActionQuery{.page = {1, 50}, .container = details->name});
        auto listed = std::find_if(container_list.begin(), container_list.end(),
                                   [&](const docker::ContainerSummary& summary) { return summary.id == details->id; });
        if (listed == container_list.end()) {
            co_await refresh_containers(); // created since the last list
            listed = std::find_if(container_list.begin(), container_list.end(),
                                  [&](const docker::ContainerSummary& summary) { return summary.id == details->id; });
        }
        auto body = container_details_json(*details, listed == container_list.end() ? nullptr : &*listed, open,
                                           actions.empty() ? nullptr : &actions.front());
        body["incidents"] = nlohmann::json::array();
        for (const auto& incident : incidents) {
            body["incidents"].push_back(incident_json(incident));
        }
        body["actions"] = nlohmann::json::array();
        for (const auto& action : actions) {
            body["actions"].push_back(action_json(action));
        }
        const auto examination = deps.store.latest_examination(details->name);
        body["examination"] = examination ? examination_json(*examination) : nlohmann::json(nullptr);
        co_return json_reply(request, http::status::ok, body);
    }

    /// The newest examination of a container: each check, pass or fail, and what it saw.
    asio::awaitable<Response> container_examination(const Request& request, const Target&, const Captures& captures)
    {
        auto details = co_await inspect(request, captures[0]);
        if (!details) {
            co_return std::move(details.error());
        }
        const auto examination = deps.store.latest_examination(details->name);
        if (!examination) {
            co_return error_reply(
                request, http::status::not_found,
                fmt::format("medic has not examined {} yet; POST .../examine asks it to", details->name));
        }
        co_return json_reply(request, http::status::ok, examination_json(*examination));
    }

    /// Examines a container now (changes nothing: helper containers only look).
    asio::awaitable<Response> container_examine(const Request& request, const Target&, const Captures& captures)
    {
        auto details = co_await inspect(request, captures[0]);
        if (!details) {
            co_return std::move(details.error());
        }
        if (deps.engine == nullptr) {
            co_return error_reply(request, http::status::service_unavailable, "healing is not running");
        }
        auto examination = co_await deps.engine->examine_now(details->name, heal::ExaminationReason::asked);
        if (!examination) {
            co_return error_reply(request, http::status::bad_gateway, examination.error().message);
        }
        const auto stored = deps.store.latest_examination(details->name);
        co_return json_reply(request, http::status::ok,
                             stored ? examination_json(*stored)
                                    : nlohmann::json::parse(heal::to_json(*examination), nullptr, false));
    }

    /// start, stop or restart, asked by a person: journaled like medic's own actions.
    asio::awaitable<Response> container_operation(const Request& request, const std::string& name,
                                                  std::string_view operation)
    {
        auto details = co_await inspect(request, name);
        if (!details) {
            co_return std::move(details.error());
        }
        store::ActionRecord record;
        record.container_id = details->id;
        record.container_name = details->name;
        record.action = fmt::format("{}_container", operation);
        record.safety = operation == "stop" ? "disruptive" : "safe";
        record.state = store::ActionState::running;
        record.started_at = unix_millis_now();
        record.detail = "asked by an operator through the API";
        record.before = fmt::format("state {}", details->status);
        record.id = deps.store.insert_action(record);
        Result<void> done;
        if (operation == "start") {
            done = co_await deps.client.start_container(details->id);
        } else if (operation == "stop") {
            done = co_await deps.client.stop_container(details->id);
        } else {
            done = co_await deps.client.restart_container(details->id);
        }
        record.ended_at = unix_millis_now();
        record.state = done ? store::ActionState::succeeded : store::ActionState::failed;
        if (!done) {
            record.detail += fmt::format("; Docker refused: {}", done.error().message);
        }
        deps.store.update_action(record);
        if (!done) {
            co_return error_reply(request, http::status::bad_gateway, fmt::format("Docker: {}", done.error().message));
        }
        co_await refresh_containers();
        co_return json_reply(request, http::status::ok,
                             {{"container", details->name}, {"action", operation}, {"result", "done"}});
    }

    asio::awaitable<Response> container_start(const Request& request, const Target&, const Captures& captures)
    {
        co_return co_await container_operation(request, captures[0], "start");
    }
    asio::awaitable<Response> container_stop(const Request& request, const Target&, const Captures& captures)
    {
        co_return co_await container_operation(request, captures[0], "stop");
    }
    asio::awaitable<Response> container_restart(const Request& request, const Target&, const Captures& captures)
    {
        co_return co_await container_operation(request, captures[0], "restart");
    }

    asio::awaitable<Response> container_heal(const Request& request, const Target&, const Captures& captures)
    {
        auto body = body_object(request);
        if (!body) {
            co_return bad_parameter(request, body.error());
        }
        auto action_name = body_string(*body, "action", 64);
        if (!action_name) {
            co_return bad_parameter(request, action_name.error());
        }
        auto details = co_await inspect(request, captures[0]);
        if (!details) {
            co_return std::move(details.error());
        }
        if (deps.engine == nullptr) {
            co_return error_reply(request, http::status::service_unavailable, "healing is not running");
        }
        if (action_name->empty()) {
            for (const auto& incident : deps.tracker.open_incidents()) {
                if (incident.container_name == details->name || incident.container_id == details->id) {
                    deps.engine->on_incident(incident);
                    co_return json_reply(request, http::status::accepted,
                                         {{"container", details->name},
                                          {"incident", incident.id},
                                          {"state", "healing"},
                                          {"detail", fmt::format("the playbook of incident {} ({}) runs", incident.id,
                                                                 classify::to_string(incident.type))}});
                }
            }
            co_return error_reply(request, http::status::conflict,
                                  fmt::format("{} has no open incident; name an action to run", details->name),
                                  "action");
        }
        const auto* action = heal::find_action(*action_name);
        if (action == nullptr) {
            co_return error_reply(
                request, http::status::bad_request,
                fmt::format("unknown action '{}' (known: {})", *action_name, heal::known_action_names()), "action");
        }
        const auto confirmed = body->value("confirm", false);
        if ((action->safety() == heal::Safety::destructive || action->safety() == heal::Safety::host) && !confirmed) {
            co_return error_reply(request, http::status::bad_request,
                                  fmt::format("{} is a {} action ({}); send \"confirm\": true to run it",
                                              action->name(), heal::to_string(action->safety()), action->summary()),
                                  "confirm");
        }
        const auto run = co_await deps.engine->run_requested(details->name, *action);
        co_await refresh_containers();
        co_return json_reply(request, http::status::ok,
                             {{"container", details->name},
                              {"action", action->name()},
                              {"state", run.verdict.healthy ? "succeeded" : "failed"},
                              {"detail", run.result.detail},
                              {"evidence", run.verdict.evidence}});
    }

    // ---- incidents and findings -------------------------------------------------------

    static tl::expected<store::Page, ParameterError> page_of(const Target& target)
    {
        auto page = integer_parameter(target, "page", 1, 1, 1000000);
        if (!page) {
            return tl::unexpected(page.error());
        }
        auto per_page = integer_parameter(target, "per_page", 50, 1, 500);
        if (!per_page) {
            return tl::unexpected(per_page.error());
        }
        return store::Page{static_cast<int>(*page), static_cast<int>(*per_page)};
    }

    /// What every list route takes: the page, and optionally a container's name.
    struct ListQuery {
        store::Page page;
        std::optional<std::string> container;
    };

    static tl::expected<ListQuery, ParameterError> list_query(const Target& target)
    {
        auto page = page_of(target);
        if (!page) {
            return tl::unexpected(page.error());
        }
        auto name = text_parameter(target, "container");
        if (name && !is_valid_container_name(*name)) {
            return tl::unexpected(ParameterError{"container", "not a container name"});
        }
        return ListQuery{*page, std::move(name)};
    }

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

    asio::awaitable<Response> incidents(const Request& request, const Target& target, const Captures&)
    {
        auto list = list_query(target);
        if (!list) {
            co_return bad_parameter(request, list.error());
        }
        const auto state = text_parameter(target, "state").value_or("all");
        if (state != "all" && state != "open") {
            co_return error_reply(request, http::status::bad_request, "state must be open or all", "state");
        }
        std::int64_t total = 0;
        const auto rows = deps.store.incidents(
            store::IncidentQuery{.open_only = state == "open", .container = list->container, .page = list->page},
            &total);
        co_return page_reply(request, list->page, total, "incidents", rows, incident_json);
    }

    static tl::expected<std::int64_t, ParameterError> id_of(const std::string& text)
    {
        Target target;
        target.parameters["id"] = text;
        return integer_parameter(target, "id", 0, 1, std::numeric_limits<std::int64_t>::max());
    }

    asio::awaitable<Response> incident(const Request& request, const Target&, const Captures& captures)
    {
        auto id = id_of(captures[0]);
        if (!id) {
            co_return bad_parameter(request, id.error());
        }
        auto found = deps.store.incident_by_id(*id);
        if (!found) {
            co_return error_reply(request, http::status::not_found, fmt::format("no incident {}", *id));
        }
        auto body = incident_json(*found);
        body["findings"] = nlohmann::json::array();
        for (const auto& finding : deps.store.findings(store::FindingQuery{.page = {1, 500}, .incident_id = *id})) {
            body["findings"].push_back(finding_json(finding));
        }
        auto actions = deps.store.actions(store::ActionQuery{.page = {1, 500}, .incident_id = *id});
        std::reverse(actions.begin(), actions.end()); // a timeline reads oldest first
        body["actions"] = nlohmann::json::array();
        for (const auto& action : actions) {
            body["actions"].push_back(action_json(action));
        }
        co_return json_reply(request, http::status::ok, body);
    }

    Response resolve(const Request& request, std::int64_t incident_id)
    {
        auto body = body_object(request);
        if (!body) {
            return bad_parameter(request, body.error());
        }
        auto note = body_string(*body, "note", 4096);
        if (!note) {
            return bad_parameter(request, note.error());
        }
        auto found = deps.store.incident_by_id(incident_id);
        if (!found) {
            return error_reply(request, http::status::not_found, fmt::format("no incident {}", incident_id));
        }
        if (found->state != incident::IncidentState::resolved) {
            deps.tracker.set_state(incident_id, incident::IncidentState::resolved, unix_millis_now(),
                                   note->empty() ? std::string("resolved by an operator")
                                                 : fmt::format("resolved by an operator: {}", *note));
            found = deps.store.incident_by_id(incident_id);
        }
        return json_reply(request, http::status::ok, incident_json(*found));
    }

    asio::awaitable<Response> resolve_incident(const Request& request, const Target&, const Captures& captures)
    {
        auto id = id_of(captures[0]);
        if (!id) {
            co_return bad_parameter(request, id.error());
        }
        co_return resolve(request, *id);
    }

    asio::awaitable<Response> resolve_finding(const Request& request, const Target&, const Captures& captures)
    {
        auto id = id_of(captures[0]);
        if (!id) {
            co_return bad_parameter(request, id.error());
        }
        const auto finding = deps.store.finding_by_id(*id);
        if (!finding) {
            co_return error_reply(request, http::status::not_found, fmt::format("no error {}", *id));
        }
        co_return resolve(request, finding->incident_id);
    }

    asio::awaitable<Response> errors(const Request& request, const Target& target, const Captures&)
    {
        auto list = list_query(target);
        if (!list) {
            co_return bad_parameter(request, list.error());
        }
        auto type = text_parameter(target, "type");
        if (type && !classify::parse_error_type(*type)) {
            co_return error_reply(request, http::status::bad_request, fmt::format("unknown error type '{}'", *type),
                                  "type");
        }
        auto since = integer_parameter(target, "since", 0, 0, std::numeric_limits<std::int64_t>::max());
        if (!since) {
            co_return bad_parameter(request, since.error());
        }
        std::int64_t total = 0;
        const auto rows = deps.store.findings(
            store::FindingQuery{.page = list->page, .type = type, .container = list->container, .since = *since},
            &total);
        co_return page_reply(request, list->page, total, "errors", rows, finding_json);
    }

    asio::awaitable<Response> error_stats(const Request& request, const Target&, const Captures&)
    {
        const auto statistics = deps.store.statistics(unix_millis_now());
        auto hours = nlohmann::json::array();
        for (const auto& hour : statistics.recent_hours) {
            hours.push_back({{"hour", hour.hour}, {"total", hour.total}, {"by_type", hour.per_type}});
        }
        co_return json_reply(
            request, http::status::ok,
            {{"total_findings", statistics.total_findings},
             {"total_incidents", statistics.total_incidents},
             {"mean_time_to_detect_ms", statistics.mean_time_to_detect_ms},
             {"by_type", statistics.per_type},
             {"by_container", statistics.per_container},
             {"by_hour", hours},
             {"trend", {{"last_24h", statistics.last_24h}, {"previous_24h", statistics.previous_24h}}}});
    }

    asio::awaitable<Response> recovery(const Request& request, const Target& target, const Captures&)
    {
        auto list = list_query(target);
        if (!list) {
            co_return bad_parameter(request, list.error());
        }
        std::optional<store::ActionState> state;
        if (auto text = text_parameter(target, "state")) {
            state = store::parse_action_state(*text);
            if (!state) {
                co_return error_reply(request, http::status::bad_request,
                                      "state must be planned, running, succeeded, failed, skipped or interrupted",
                                      "state");
            }
        }
        auto action = text_parameter(target, "action");
        if (action && action->size() > 64) {
            co_return error_reply(request, http::status::bad_request, "action is longer than 64 bytes", "action");
        }
        std::int64_t total = 0;
        const auto rows = deps.store.actions(
            store::ActionQuery{.page = list->page, .container = list->container, .action = action, .state = state},
            &total);
        co_return page_reply(request, list->page, total, "actions", rows, action_json);
    }

    asio::awaitable<Response> recovery_stats(const Request& request, const Target&, const Captures&)
    {
        const auto statistics = deps.store.recovery_statistics(unix_millis_now());
        auto body = outcomes_json(statistics.overall);
        body["mean_time_to_recover_ms"] = statistics.mean_time_to_recover_ms
                                              ? nlohmann::json(*statistics.mean_time_to_recover_ms)
                                              : nlohmann::json(nullptr);
        body["by_action"] = nlohmann::json::object();
        for (const auto& [name, outcomes] : statistics.per_action) {
            body["by_action"][name] = outcomes_json(outcomes);
        }
        body["by_type"] = nlohmann::json::object();
        for (const auto& [type, outcomes] : statistics.per_type) {
            body["by_type"][type] = outcomes_json(outcomes);
        }
        body["by_hour"] = nlohmann::json::array();
        for (const auto& hour : statistics.recent_hours) {
            body["by_hour"].push_back({{"hour", hour.hour}, {"succeeded", hour.succeeded}, {"failed", hour.failed}});
        }
        co_return json_reply(request, http::status::ok, body);
    }

    // ---- auth, documents, metrics -----------------------------------------------------

    asio::awaitable<Response> login(const Request& request, const Target&, const Captures&)
    {
        auto body = body_object(request);
        if (!body) {
            co_return bad_parameter(request, body.error());
        }
        auto token = body_string(*body, "token", 256);
        if (!token) {
            co_return bad_parameter(request, token.error());
        }
        const auto role = auth.role_of_token(*token);
        if (!role) {
            co_return error_reply(request, http::status::unauthorized, "that token is not valid", "token");
        }
        auto reply = json_reply(request, http::status::ok, {{"role", to_string(*role)}});
        reply.set(http::field::set_cookie,
                  Authenticator::session_cookie(auth.open_session(*role, Authenticator::Clock::now())));
        co_return reply;
    }

    asio::awaitable<Response> logout(const Request& request, const Target&, const Captures&)
    {
        auth.close_session(request[http::field::cookie]);
        auto reply = json_reply(request, http::status::ok, nlohmann::json::object());
        reply.set(http::field::set_cookie, Authenticator::expired_cookie());
        co_return reply;
    }

    asio::awaitable<Response> session(const Request& request, const Target&, const Captures&)
    {
        const auto role = auth.role_of_request(request[http::field::authorization], request[http::field::cookie],
                                               Authenticator::Clock::now());
        co_return json_reply(request, http::status::ok, {{"role", to_string(role.value_or(Role::viewer))}});
    }

    asio::awaitable<Response> openapi(const Request& request, const Target&, const Captures&)
    {
        co_return json_text_reply(request, http::status::ok, openapi_document());
    }

    asio::awaitable<Response> metrics_text(const Request& request, const Target&, const Captures&)
    {
        Response response{http::status::ok, request.version()};
        response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        response.body() = metrics.render();
        co_return response;
    }

    // ---- streams ----------------------------------------------------------------------

    /// Refuses a stream request with a plain JSON reply on the raw socket.
    asio::awaitable<void> refuse(tcp::socket socket, Response response)
    {
        beast::tcp_stream stream(std::move(socket));
        response.keep_alive(false);
        co_await write(stream, std::move(response));
    }

    asio::awaitable<void> log_stream(Request request, Target target, Captures captures, tcp::socket socket)
    {
        LogRequest wanted;
        wanted.container = captures[0];
        if (!is_valid_container_name(wanted.container)) {
            co_await refuse(std::move(socket),
                            error_reply(request, http::status::bad_request, "not a container name", "name"));
            co_return;
        }
        auto tail = integer_parameter(target, "tail", 200, 0, static_cast<std::int64_t>(LogHub::k_max_backlog));
        auto out = flag_parameter(target, "stdout", true);
        auto err = flag_parameter(target, "stderr", true);
        auto after = integer_parameter(target, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
        for (const auto* bad : {tail ? nullptr : &tail.error(), out ? nullptr : &out.error(),
                                err ? nullptr : &err.error(), after ? nullptr : &after.error()}) {
            if (bad != nullptr) {
                co_await refuse(std::move(socket), bad_parameter(request, *bad));
                co_return;
            }
        }
        wanted.tail = static_cast<int>(*tail);
        wanted.stdout_stream = *out;
        wanted.stderr_stream = *err;
        wanted.after_nanos = *after;
        auto resume = last_event_id(request);
        if (!resume) {
            co_await refuse(std::move(socket), bad_parameter(request, resume.error()));
            co_return;
        }
        if (*resume > 0) {
            wanted.after_nanos = *resume;
        }
        auto connection = std::make_shared<SseConnection>(std::move(socket), options.keep_alive);
        sse_connections.insert(connection.get());
        logs.open(connection, std::move(wanted));
        co_await SseConnection::run(connection, sse_header());
        sse_connections.erase(connection.get());
    }

    asio::awaitable<void> event_stream(Request request, Target, Captures, tcp::socket socket)
    {
        auto after = last_event_id(request);
        if (!after) {
            co_await refuse(std::move(socket), bad_parameter(request, after.error()));
            co_return;
        }
        auto connection = std::make_shared<SseConnection>(std::move(socket), options.keep_alive);
        sse_connections.insert(connection.get());
        events.subscribe(connection, *after);
        co_await SseConnection::run(connection, sse_header());
        events.unsubscribe(connection);
        sse_connections.erase(connection.get());
    }

    void on_change(const store::Change& change)
    {
        metrics.on_change(change);
        health_body.clear();
        if (events.empty()) {
            return;
        }
        if (change.kind == store::Change::Kind::incident && change.incident != nullptr) {
            events.publish("incident", dump_json(incident_json(*change.incident)));
        } else if (change.kind == store::Change::Kind::action && change.action != nullptr) {
            events.publish("action", dump_json(action_json(*change.action)));
        }
    }

    void stop()
    {
        stopping = true;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        refresh_timer.cancel();
        logs.stop();
        for (auto* connection : std::set<SseConnection*>(sse_connections)) {
            connection->close();
        }
        for (auto* stream : std::set<beast::tcp_stream*>(live)) {
            stream->socket().close(ignored);
        }
    }

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

ApiServer::ApiServer(asio::any_io_executor executor, ApiDependencies dependencies, ServerOptions options)
    : m_impl(std::make_unique<Impl>(std::move(executor), std::move(dependencies), std::move(options)))
{
}

ApiServer::~ApiServer() = default;

Result<std::uint16_t> ApiServer::listen()
{
    auto& impl = *m_impl;
    const auto [host, port] = split_listen(impl.options.listen);
    boost::system::error_code error;
    const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, error);
    if (error) {
        return fail(ErrorKind::invalid_argument,
                    fmt::format("cannot listen on '{}': '{}' is not an IP address", impl.options.listen, host));
    }
    int port_number = 0;
    try {
        port_number = std::stoi(port);
    } catch (const std::exception&) {
        return fail(ErrorKind::invalid_argument, fmt::format("cannot listen on '{}': bad port", impl.options.listen));
    }
    const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(port_number));
    impl.acceptor.open(endpoint.protocol(), error);
    if (!error) {
        impl.acceptor.set_option(asio::socket_base::reuse_address(true), error);
        impl.acceptor.bind(endpoint, error);
    }
    if (!error) {
        impl.acceptor.listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
        return fail(ErrorKind::io, fmt::format("cannot listen on {}: {}", impl.options.listen, error.message()));
    }
    return impl.acceptor.local_endpoint().port();
}

asio::awaitable<void> ApiServer::run()
{
    asio::co_spawn(m_impl->executor, m_impl->refresh_loop(), asio::detached);
    co_await m_impl->accept_loop();
}

std::vector<std::string> ApiServer::routes()
{
    std::vector<std::string> routes;
    for (const auto& route : Impl::table()) {
        std::string path;
        for (const auto segment : route.pattern) {
            path += segment == ":"
                        ? std::string(path.ends_with("incidents/") || path.ends_with("errors/") ? "{id}" : "{name}")
                        : std::string(segment);
            path += "/";
        }
        path.pop_back();
        routes.push_back(fmt::format("{} /{}", std::string(http::to_string(route.method)), path));
    }
    return routes;
}

void ApiServer::stop()
{
    m_impl->stop();
}

void ApiServer::on_change(const store::Change& change)
{
    m_impl->on_change(change);
}

} // namespace medic::api
