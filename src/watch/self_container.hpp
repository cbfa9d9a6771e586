#pragma once
// medic run inside a container must never watch or heal itself: its own container id
// is read from how Docker mounted /etc/hostname and /etc/resolv.conf into it.

#include <string>
#include <string_view>

namespace medic::watch {

/// The 64-hex container id in /proc/self/mountinfo text ("/containers/<id>/hostname"),
/// else in /proc/self/cgroup text ("/docker/<id>"); "" when not in a Docker container.
std::string container_id_from_proc(std::string_view mountinfo, std::string_view cgroup);

/// container_id_from_proc() of this process.
std::string own_container_id();

} // namespace medic::watch
