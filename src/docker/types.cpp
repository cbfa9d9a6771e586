#include "docker/types.hpp"

#include <charconv>

namespace medic::docker {

bool LabelSelector::matches(const Labels& labels) const
{
    auto found = labels.find(key);
    return found != labels.end() && (!value || found->second == *value);
}

std::string LabelSelector::to_string() const
{
    return value ? key + "=" + *value : key;
}

std::optional<LabelSelector> parse_label_selector(std::string_view text)
{
    const auto equals = text.find('=');
    LabelSelector selector;
    selector.key = std::string(text.substr(0, equals));
    if (equals != std::string_view::npos) {
        selector.value = std::string(text.substr(equals + 1));
    }
    if (selector.key.empty() || selector.key.find_first_of(" \t\r\n") != std::string::npos) {
        return std::nullopt;
    }
    return selector;
}

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
