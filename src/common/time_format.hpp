#pragma once
// Times as the Docker API writes them, and durations as people read them.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace medic {

/// Parses RFC 3339 with optional fractional seconds and a Z or ±hh:mm offset
/// ("2024-05-01T10:00:00.123456789Z"); std::nullopt for anything else, including
/// Docker's zero time "0001-01-01T00:00:00Z".
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

/// A short human duration: "45s", "3m12s", "2h5m", "4d3h".
std::string format_duration(std::chrono::seconds duration);

} // namespace medic
