#include "api/query.hpp"

#include <charconv>

#include <fmt/format.h>

namespace medic::api {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space)
{
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t index = 0; index < text.size(); ++index) {
        const char character = text[index];
        if (character == '+' && plus_is_space) {
            decoded += ' ';
        } else if (character == '%') {
            unsigned value = 0;
            if (index + 2 >= text.size()) {
                return std::nullopt;
            }
            const auto* first = text.data() + index + 1;
            const auto [end, error] = std::from_chars(first, first + 2, value, 16);
            if (error != std::errc{} || end != first + 2) {
                return std::nullopt;
            }
            decoded += static_cast<char>(value);
            index += 2;
        } else {
            decoded += character;
        }
    }
    return decoded;
}

tl::expected<Target, ParameterError> parse_target(std::string_view target)
{
    Target parsed;
    const auto question = target.find('?');
    const auto raw_path = target.substr(0, question);
    auto path = percent_decode(raw_path, false);
    if (!path || path->empty() || path->front() != '/') {
        return tl::unexpected(ParameterError{"path", "the path is not a valid absolute path"});
    }
    parsed.path = *path;
    std::string_view rest = raw_path.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        auto segment = percent_decode(rest.substr(0, slash), false);
        if (!segment) {
            return tl::unexpected(ParameterError{"path", "the path has a malformed %-escape"});
        }
        parsed.segments.push_back(std::move(*segment));
        if (slash == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(slash + 1);
    }
    if (question == std::string_view::npos) {
        return parsed;
    }
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const auto ampersand = query.find('&');
        const auto pair = query.substr(0, ampersand);
        if (!pair.empty()) {
            const auto equals = pair.find('=');
            auto name = percent_decode(pair.substr(0, equals), true);
            auto value =
                percent_decode(equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
            if (!name || !value) {
                return tl::unexpected(
                    ParameterError{name ? *name : std::string("query"), "the parameter has a malformed %-escape"});
            }
            parsed.parameters[*name] = std::move(*value);
        }
        if (ampersand == std::string_view::npos) {
            break;
        }
        query.remove_prefix(ampersand + 1);
    }
    return parsed;
}

tl::expected<std::int64_t, ParameterError> integer_parameter(const Target& target, std::string_view name,
                                                             std::int64_t fallback, std::int64_t minimum,
                                                             std::int64_t maximum)
{
    const auto found = target.parameters.find(name);
    if (found == target.parameters.end() || found->second.empty()) {
        return fallback;
    }
    const auto& text = found->second;
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return tl::unexpected(ParameterError{std::string(name), fmt::format("{} must be an integer", name)});
    }
    if (value < minimum || value > maximum) {
        return tl::unexpected(
            ParameterError{std::string(name), fmt::format("{} must be between {} and {}", name, minimum, maximum)});
    }
    return value;
}

tl::expected<bool, ParameterError> flag_parameter(const Target& target, std::string_view name, bool fallback)
{
    const auto found = target.parameters.find(name);
    if (found == target.parameters.end() || found->second.empty()) {
        return fallback;
    }
    if (found->second == "1" || found->second == "true") {
        return true;
    }
    if (found->second == "0" || found->second == "false") {
        return false;
    }
    return tl::unexpected(ParameterError{std::string(name), fmt::format("{} must be 1, 0, true or false", name)});
}

std::optional<std::string> text_parameter(const Target& target, std::string_view name)
{
    const auto found = target.parameters.find(name);
    if (found == target.parameters.end() || found->second.empty()) {
        return std::nullopt;
    }
    return found->second;
}

bool is_valid_container_name(std::string_view name)
{
    if (name.empty() || name.size() > 128) {
        return false;
    }
    auto alphanumeric = [](char character) {
        return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
               (character >= '0' && character <= '9');
    };
    if (!alphanumeric(name.front())) {
        return false;
    }
    for (char character : name) {
        if (!alphanumeric(character) && character != '_' && character != '.' && character != '-') {
            return false;
        }
    }
    return true;
}

} // namespace medic::api
