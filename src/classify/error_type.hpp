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
    /// Signs of an attack, not a fault: a Redis told to save into /etc or ~/.ssh, a data
    /// folder whose owner changed under a running service. Escalated at once, never repaired.
    suspected_compromise,
};

inline constexpr std::size_t k_error_type_count = 15;

enum class Severity : std::uint8_t { info, warning, error, critical };

/// Where a line came from; rules name the channels they apply to. `examination`: a
/// fact medic checked itself (a mount the service cannot write, a port held).
enum class Channel : std::uint8_t { log, daemon, inspect, event, probe, examination };

inline constexpr std::size_t k_channel_count = 6;

/// What a rule's line says about a failure. A cause names why (Permission denied on
/// /data); a symptom only that something failed (connection refused, unhealthy); a
/// header opens a block whose reason follows ("*** FATAL CONFIG FILE ERROR ***"); a
/// context line adds detail to its block and never decides (">>> 'dir "/data"'").
/// When a crash is read, cause beats symptom beats header.
enum class RuleRole : std::uint8_t { header, symptom, cause, context };

/// "PORT_CONFLICT", ...
std::string_view to_string(ErrorType type);
std::optional<ErrorType> parse_error_type(std::string_view text);

std::string_view to_string(Severity severity);
std::optional<Severity> parse_severity(std::string_view text);

std::string_view to_string(Channel channel);
std::optional<Channel> parse_channel(std::string_view text);

std::string_view to_string(RuleRole role);
std::optional<RuleRole> parse_rule_role(std::string_view text);

} // namespace medic::classify
