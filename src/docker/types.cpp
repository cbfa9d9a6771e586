#include "docker/types.hpp"

#include <charconv>

namespace medic::docker {

std::string Event::actor_name() const
{
    auto found = attributes.find("name");
    return found == attributes.end() ? actor_id : found->second;
}

std::optional<int> Event::exit_code() const
{
    auto found = attributes.find("exitCode");
    if (found == attributes.end()) {
        return std::nullopt;
    }
    int code = 0;
    const auto& text = found->second;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return code;
}

std::optional<std::string> ContainerDetails::env(std::string_view key) const
{
    for (const auto& entry : environment) {
        if (entry.size() > key.size() && entry.starts_with(key) && entry[key.size()] == '=') {
            return entry.substr(key.size() + 1);
        }
    }
    return std::nullopt;
}

} // namespace medic::docker
