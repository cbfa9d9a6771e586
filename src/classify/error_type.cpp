#include "classify/error_type.hpp"

#include <array>
#include <utility>

namespace medic::classify {
namespace {

constexpr std::array<std::pair<ErrorType, std::string_view>, k_error_type_count> k_error_types{{
    {ErrorType::port_conflict, "PORT_CONFLICT"},
    {ErrorType::container_name_conflict, "CONTAINER_NAME_CONFLICT"},
    {ErrorType::permission_denied, "PERMISSION_DENIED"},
    {ErrorType::resource_exhausted, "RESOURCE_EXHAUSTED"},
    {ErrorType::health_check_failed, "HEALTH_CHECK_FAILED"},
    {ErrorType::volume_mount_error, "VOLUME_MOUNT_ERROR"},
    {ErrorType::network_error, "NETWORK_ERROR"},
    {ErrorType::docker_daemon_error, "DOCKER_DAEMON_ERROR"},
    {ErrorType::data_corruption, "DATA_CORRUPTION"},
    {ErrorType::stale_lock, "STALE_LOCK"},
    {ErrorType::version_incompatible, "VERSION_INCOMPATIBLE"},
    {ErrorType::config_error, "CONFIG_ERROR"},
    {ErrorType::image_error, "IMAGE_ERROR"},
    {ErrorType::crash_loop, "CRASH_LOOP"},
    {ErrorType::suspected_compromise, "SUSPECTED_COMPROMISE"},
}};

constexpr std::array<std::pair<Severity, std::string_view>, 4> k_severities{{
    {Severity::info, "info"},
    {Severity::warning, "warning"},
    {Severity::error, "error"},
    {Severity::critical, "critical"},
}};

constexpr std::array<std::pair<Channel, std::string_view>, k_channel_count> k_channels{{
    {Channel::log, "log"},
    {Channel::daemon, "daemon"},
    {Channel::inspect, "inspect"},
    {Channel::event, "event"},
    {Channel::probe, "probe"},
    {Channel::examination, "examination"},
}};

constexpr std::array<std::pair<RuleRole, std::string_view>, 4> k_roles{{
    {RuleRole::header, "header"},
    {RuleRole::symptom, "symptom"},
    {RuleRole::cause, "cause"},
    {RuleRole::context, "context"},
}};

template <typename Enum, std::size_t Size>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, Size>& table, Enum value)
{
    for (const auto& [candidate, name] : table) {
        if (candidate == value) {
            return name;
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t Size>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, Size>& table, std::string_view text)
{
    for (const auto& [candidate, name] : table) {
        if (name == text) {
            return candidate;
        }
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(ErrorType type)
{
    return name_of(k_error_types, type);
}
std::optional<ErrorType> parse_error_type(std::string_view text)
{
    return value_of(k_error_types, text);
}
std::string_view to_string(Severity severity)
{
    return name_of(k_severities, severity);
}
std::optional<Severity> parse_severity(std::string_view text)
{
    return value_of(k_severities, text);
}
std::string_view to_string(Channel channel)
{
    return name_of(k_channels, channel);
}
std::optional<Channel> parse_channel(std::string_view text)
{
    return value_of(k_channels, text);
}
std::string_view to_string(RuleRole role)
{
    return name_of(k_roles, role);
}
std::optional<RuleRole> parse_rule_role(std::string_view text)
{
    return value_of(k_roles, text);
}

} // namespace medic::classify
