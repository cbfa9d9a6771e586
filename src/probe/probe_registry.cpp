// The probe kinds by name, and what every probe run shares: timing and the address text.

#include <fmt/format.h>

#include "probe/probe.hpp"
#include "probe/probe_kinds.hpp"

namespace medic::probe {

std::string_view to_string(ProbeStatus status)
{
    switch (status) {
    case ProbeStatus::ok: return "ok";
    case ProbeStatus::starting: return "starting";
    case ProbeStatus::failing: return "failing";
    }
    return "failing";
}

std::string Address::to_string() const
{
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

const std::vector<const Probe*>& all_probes()
{
    static const std::vector<const Probe*> probes{&docker_health_probe(), &tcp_probe(),      &http_probe(),
                                                  &redis_probe(),         &postgres_probe(), &exec_probe()};
    return probes;
}

const Probe* find_probe(std::string_view kind)
{
    for (const auto* probe : all_probes()) {
        if (probe->kind() == kind) {
            return probe;
        }
    }
    return nullptr;
}

boost::asio::awaitable<ProbeResult> run_probe(boost::asio::any_io_executor executor, docker::DockerClient& client,
                                              const docker::ContainerDetails& container, const ProbeSpec& spec)
{
    const auto* probe = find_probe(spec.kind);
    if (probe == nullptr) {
        ProbeResult unknown;
        unknown.status = ProbeStatus::failing;
        unknown.summary = fmt::format("no probe called '{}'", spec.kind);
        co_return unknown;
    }
    if (probe->needs_address() && !spec.address) {
        ProbeResult nowhere;
        nowhere.status = ProbeStatus::failing;
        nowhere.summary = "no address to connect to (publish the port or set medic.probe.address)";
        co_return nowhere;
    }
    const auto started = std::chrono::steady_clock::now();
    const ProbeContext context{std::move(executor), client, container, spec};
    auto result = co_await probe->run(context);
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    co_return result;
}

} // namespace medic::probe
