#pragma once
// medic's own probes: it asks the service itself whether it works, because most
// containers have no HEALTHCHECK and a process can be up while its service is dead.
// One file per kind; each kind is registered by name in probe_registry.cpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "docker/types.hpp"

namespace medic::docker {
class DockerClient;
}

namespace medic::probe {

/// What one run of a probe says of the service.
enum class ProbeStatus : std::uint8_t {
    ok,       ///< the service answered as it should
    starting, ///< it answered that it is not ready yet (Redis LOADING): not a failure
    failing,  ///< it did not answer, or answered wrong
};

std::string_view to_string(ProbeStatus status);

/// Where a probe connects, and why there.
struct Address {
    std::string host;
    std::uint16_t port = 0;
    std::string source; ///< "label medic.probe.address", "published port", "network NAME", "host network"

    [[nodiscard]] std::string to_string() const;
};

/// One endpoint of the http probe: `/health`, `/health=200`, `/health=200~ok`.
struct HttpEndpoint {
    std::string path = "/";
    int expect_status = 0;      ///< 0: any 2xx or 3xx
    std::string body_contains;  ///< "" : the body is not checked
    bool health_checks = false; ///< the body is SysReptor's JSON of checks: name the failed ones
};

/// One probe of one container, as planned from its profile and labels.
struct ProbeSpec {
    std::string kind; ///< a registered name: docker-health, tcp, http, redis, postgres, exec
    std::chrono::milliseconds interval{30000};
    std::chrono::milliseconds timeout{5000};
    std::optional<Address> address;      ///< tcp, http, redis, postgres
    std::vector<HttpEndpoint> endpoints; ///< http
    std::vector<std::string> command;    ///< exec: an argument vector, never a shell string
};

/// What one run found.
struct ProbeResult {
    ProbeStatus status = ProbeStatus::ok;
    std::string summary;  ///< one line for a person: "PONG, aof_last_write_status:ok, ..."
    std::string signal;   ///< when failing: the text classified as a probe signal ("HTTP GET /health: 503")
    std::string evidence; ///< answers, outputs: for the incident and `medic diagnose`
    /// The container's last log lines when they may name the cause (why Redis's save failed):
    /// the scheduler classifies them as log lines.
    std::vector<std::string> log_tail;
    /// The failed checks a health endpoint named ("database", "cache").
    std::vector<std::string> failed_checks;
    std::chrono::milliseconds elapsed{};
};

/// What a probe gets to work with.
struct ProbeContext {
    boost::asio::any_io_executor executor;
    docker::DockerClient& client;
    const docker::ContainerDetails& container;
    const ProbeSpec& spec;
};

class Probe {
public:
    virtual ~Probe() = default;
    [[nodiscard]] virtual std::string_view kind() const = 0;
    /// One line for `--help` and the README.
    [[nodiscard]] virtual std::string_view summary() const = 0;
    /// True for the kinds that connect to the service: run_probe fails them without an address.
    [[nodiscard]] virtual bool needs_address() const { return false; }
    /// Runs once; never throws for what the service did (that is a failing result).
    virtual boost::asio::awaitable<ProbeResult> run(const ProbeContext& context) const = 0;
};

/// The registered probe called `kind`, or null.
const Probe* find_probe(std::string_view kind);

/// Every registered probe, in a fixed order.
const std::vector<const Probe*>& all_probes();

/// Runs `spec` with its timeout and measures it (a probe that overruns is failing).
boost::asio::awaitable<ProbeResult> run_probe(boost::asio::any_io_executor executor, docker::DockerClient& client,
                                              const docker::ContainerDetails& container, const ProbeSpec& spec);

} // namespace medic::probe
