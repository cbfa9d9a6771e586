#pragma once
// How much a recovery action may disturb: the policy enables classes, not actions.

#include <cstdint>
#include <optional>
#include <string_view>

namespace medic::heal {

/// safe: restart, create a missing folder. disruptive: recreate, stop another container,
/// move a damaged file into quarantine. destructive: sets data aside wholesale (always
/// quarantined, off by default). host: touches the host (kills a process, restarts the
/// daemon; off by default).
enum class Safety : std::uint8_t { safe, disruptive, destructive, host };

std::string_view to_string(Safety safety);
std::optional<Safety> parse_safety(std::string_view text);

} // namespace medic::heal
