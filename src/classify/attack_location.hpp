#pragma once
// Where no service writes its data unless someone made it: the known attack on a
// password-less Redis (CONFIG SET dir /root/.ssh, dbfilename authorized_keys; or
// /etc/cron.d, /var/spool/cron, a web root) leaves exactly these traces. A finding
// that a service failed to write there is a sign of an attack, never a permission
// to repair.

#include <optional>
#include <string>
#include <string_view>

#include "classify/classifier.hpp"

namespace medic::classify {

/// Why writing `file` in folder `path` is what an attack does, or std::nullopt. Either may be empty.
std::optional<std::string> attack_location(std::string_view path, std::string_view file);

/// A finding about a failed write (its rule's context says writes: data) into an attack
/// location becomes SUSPECTED_COMPROMISE, critical, with the reason as evidence. True when it did.
bool screen_for_attack(Finding& finding);

} // namespace medic::classify
