// The JSON replies and the request-body readers every route uses. Plain functions,
// no coroutine: kept apart from the connection loop so each compiles on its own.
#include <fmt/format.h>

#include "api/server_impl.hpp"

namespace medic::api {

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

Response bad_parameter(const Request& request, const ParameterError& error)
{
    return error_reply(request, http::status::bad_request, error.message, error.parameter);
}

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

} // namespace medic::api
