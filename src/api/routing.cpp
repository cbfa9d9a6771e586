// The route table and what is decided before a handler runs: which route a target
// matches, whether the caller may use it, and the embedded UI's files.
#include <fmt/format.h>

#include "api/server_impl.hpp"
#include "api/static_files.hpp"

namespace medic::api {

std::vector<ApiServer::Impl::Route> ApiServer::Impl::table()
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
        {http::verb::post, {"api", "docker", "errors", ":", "resolve"}, Access::operator_only, &Impl::resolve_finding},
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

http::status ApiServer::Impl::find_route(const Target& target, http::verb method, const Route*& route,
                                         Captures& captures) const
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
std::optional<Response> ApiServer::Impl::check_access(const Request& request, const Route& route)
{
    if (request.method() != http::verb::get &&
        is_cross_origin(request[http::field::origin], request["Sec-Fetch-Site"], request[http::field::host])) {
        return error_reply(request, http::status::forbidden, "a state-changing request from another origin is refused");
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
        return error_reply(request, http::status::forbidden, "this needs the operator role; the token is a viewer's");
    }
    return std::nullopt;
}

std::optional<Response> ApiServer::Impl::static_file(const Request& request, const Target& target) const
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

} // namespace medic::api
