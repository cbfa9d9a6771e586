// What the daemon said when it refused a request (declared in http_transport.hpp).
// Apart from the transport so that the transport's Beast code compiles without the
// JSON library.
#include <nlohmann/json.hpp>

#include "docker/http_transport.hpp"

namespace medic::docker {

std::string daemon_message(std::string_view body)
{
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
        return parsed["message"].get<std::string>();
    }
    std::string text(body);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    return text;
}

Error daemon_error(unsigned status, std::string_view body)
{
    return Error{ErrorKind::daemon, status, daemon_message(body)};
}

} // namespace medic::docker
