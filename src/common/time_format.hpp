#pragma once
// Times as the Docker API writes them, and durations as people read them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medic {

/// Parses RFC 3339 with optional fractional seconds and a Z or ±hh:mm offset
/// ("2024-05-01T10:00:00.123456789Z"); std::nullopt for anything else, including
/// Docker's zero time "0001-01-01T00:00:00Z".
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

/// Nanoseconds since the epoch: the unit of Docker's event times and medic's resume points.
std::int64_t unix_nanos(std::chrono::system_clock::time_point time);
std::int64_t unix_nanos_now();

/// Milliseconds since the epoch, now: the unit of medic's history.
std::int64_t unix_millis_now();

enum class TimeStyle {
    rfc3339_nanos, ///< 2026-11-28T05:20:38.123456789Z, as Docker writes times
    readable,      ///< 2026-11-28 05:20:38, for tables
    compact,       ///< 20261128T052038Z, for file names
};

/// Formats nanoseconds since the epoch in UTC.
std::string format_utc(std::int64_t unix_nanos, TimeStyle style);

/// A short human duration: "45s", "3m12s", "2h5m", "4d3h".
std::string format_duration(std::chrono::seconds duration);

} // namespace medic
