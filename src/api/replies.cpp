// The JSON replies and the request-body readers every route uses. Plain functions,
// no coroutine: kept apart from the connection loop so each compiles on its own.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

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

tl::expected<nlohmann::json, ParameterError> body_object(const Request& request,
                                                         std::initializer_list<std::string_view> fields)
{
    if (request.body().empty()) {
        return nlohmann::json::object();
    }
    auto parsed = nlohmann::json::parse(request.body(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return tl::unexpected(ParameterError{"body", "the body must be a JSON object"});
    }
    for (const auto& [key, value] : parsed.items()) {
        if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
            // A misspelt field must not be ignored: "acton" would heal something else.
            const auto shown = key.size() > 64 ? key.substr(0, 64) + "..." : key;
            const auto expected =
                fields.size() == 0 ? std::string("no field") : fmt::format("{}", fmt::join(fields, ", "));
            return tl::unexpected(
                ParameterError{shown, fmt::format("unknown field '{}' (this request takes: {})", shown, expected)});
        }
    }
    return parsed;
}

tl::expected<bool, ParameterError> body_bool(const nlohmann::json& body, const char* name)
{
    const auto found = body.find(name);
    if (found == body.end() || found->is_null()) {
        return false;
    }
    if (!found->is_boolean()) {
        return tl::unexpected(ParameterError{name, fmt::format("{} must be true or false", name)});
    }
    return found->get<bool>();
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
