#pragma once
// What the healing engine asks of medic's own probes: is a container's service failing
// now (so a running container is in trouble even without a HEALTHCHECK), and does it
// answer after a repair. The probe scheduler in src/watch answers.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "docker/types.hpp"

namespace medic::heal {

struct ProbeVerdict {
    bool ok = true;        ///< every probe answered as it should (or the container has none)
    bool starting = false; ///< a probe says the service is still starting: ask again
    std::string evidence;  ///< what the probes saw
};

class ServiceProbes {
public:
    virtual ~ServiceProbes() = default;
    /// True when a probe of `container` has failed past its threshold.
    [[nodiscard]] virtual bool failing(const std::string& container) const = 0;
    /// Runs every probe of `container` (as just inspected) now.
    virtual boost::asio::awaitable<ProbeVerdict> check_now(const docker::ContainerDetails& container) = 0;
};

} // namespace medic::heal
