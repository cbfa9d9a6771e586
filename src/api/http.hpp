#pragma once
// Private to src/api/: Beast's request and response types and the JSON replies every
// route uses. Kept out of the public headers: Beast is heavy to compile.

#include <string>
#include <string_view>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace medic::api {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// A reply with a JSON body.
Response json_reply(const Request& request, http::status status, const nlohmann::json& body);
/// A reply whose body is already JSON text.
Response json_text_reply(const Request& request, http::status status, std::string body);
/// `{"error": message, "parameter": parameter}`: what was wrong and where.
Response error_reply(const Request& request, http::status status, std::string_view message,
                     std::string_view parameter = {});

/// JSON text that never throws on bad UTF-8 from containers: invalid bytes are replaced.
std::string dump_json(const nlohmann::json& value);

} // namespace medic::api
