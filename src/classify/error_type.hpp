#pragma once
// The closed vocabularies of detection: what went wrong, how bad it is, and where
// it was seen. Strings appear only at the edges (rule files, JSON).

#include <cstdint>
#include <optional>
#include <string_view>

namespace medic::classify {

enum class ErrorType : std::uint8_t {
    port_conflict,
    container_name_conflict,
    permission_denied,
    resource_exhausted,
    health_check_failed,
    volume_mount_error,
    network_error,
    docker_daemon_error,
    data_corruption,
    stale_lock,
    version_incompatible,
    config_error,
    image_error,
    crash_loop,
};

inline constexpr std::size_t k_error_type_count = 14;

enum class Severity : std::uint8_t { info, warning, error, critical };

/// Where a line came from; rules name the channels they apply to.
enum class Channel : std::uint8_t { log, daemon, inspect, event, probe };

inline constexpr std::size_t k_channel_count = 5;

/// "PORT_CONFLICT", ...
std::string_view to_string(ErrorType type);
std::optional<ErrorType> parse_error_type(std::string_view text);

std::string_view to_string(Severity severity);
std::optional<Severity> parse_severity(std::string_view text);

std::string_view to_string(Channel channel);
std::optional<Channel> parse_channel(std::string_view text);

} // namespace medic::classify
