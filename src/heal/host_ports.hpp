#pragma once
// Host ports seen from the host: whether one is free, and which process listens on
// it. Only meaningful when medic shares the host's network and process namespaces
// (it runs on the host, or in a container with network_mode and pid host).

#include <cstdint>
#include <optional>
#include <string>

namespace medic::heal {

/// True when nothing on this host listens on ip:port (bound and released at once; "" is 0.0.0.0).
bool port_bindable(const std::string& host_ip, std::uint16_t port);

struct HostProcess {
    int pid = 0;
    std::string command; ///< /proc/PID/comm
};

/// The process listening on TCP `port` (any address), from /proc/net/tcp{,6} and the processes' descriptors.
std::optional<HostProcess> port_holder_process(std::uint16_t port);

} // namespace medic::heal
