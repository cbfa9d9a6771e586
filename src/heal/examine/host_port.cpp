// host_port: each host port a stopped container publishes is free, or held by another
// container (its published ports) or by a host process (when medic sees the host's
// sockets and processes). A running container holds its own ports: nothing to check.

#include <fmt/format.h>

#include "heal/examine/checks.hpp"
#include "heal/host_ports.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

bool addresses_overlap(const std::string& ours, const std::string& theirs)
{
    auto any = [](const std::string& address) { return address.empty() || address == "0.0.0.0" || address == "::"; };
    return any(ours) || any(theirs) || ours == theirs;
}

std::string where(const docker::PortRequest& request)
{
    return fmt::format("{}:{}/{}", request.host_ip.empty() ? "0.0.0.0" : request.host_ip, request.host_port,
                       request.protocol);
}

} // namespace

boost::asio::awaitable<std::vector<Check>> check_host_ports(ExamineContext& context)
{
    std::vector<Check> checks;
    const auto& container = context.container;
    if ((container.running && !container.restarting) || container.port_requests.empty()) {
        co_return checks;
    }
    auto listed = co_await context.client.list_containers();
    for (const auto& request : container.port_requests) {
        if (request.host_port == 0) {
            continue; // the daemon picks a free one
        }
        Check check;
        check.kind = CheckKind::host_port;
        check.subject = where(request);
        std::string holder;
        if (listed) {
            for (const auto& summary : *listed) {
                if (summary.id == container.id || summary.state != "running") {
                    continue;
                }
                for (const auto& port : summary.ports) {
                    if (port.public_port == request.host_port && port.protocol == request.protocol &&
                        addresses_overlap(request.host_ip, port.ip)) {
                        holder = "container " + summary.name();
                    }
                }
            }
        }
        if (holder.empty() && context.on_host && request.protocol == "tcp" &&
            !port_bindable(request.host_ip, request.host_port)) {
            const auto process = port_holder_process(request.host_port);
            holder = process ? fmt::format("host process {} ({})", process->pid, process->command)
                             : std::string("a host process medic cannot see");
        }
        if (holder.empty()) {
            check.outcome = context.on_host || listed ? CheckOutcome::passed : CheckOutcome::unknown;
            check.evidence = context.on_host ? fmt::format("{} is free", where(request))
                                             : fmt::format("no container publishes {} (medic cannot see host "
                                                           "processes from its container)",
                                                           where(request));
        } else {
            check.outcome = CheckOutcome::failed;
            check.evidence = fmt::format("{} is held by {}", where(request), holder);
            check.finding = check_finding(ErrorType::port_conflict, "check-host-port", check.evidence,
                                          {{"port", std::to_string(request.host_port)}, {"holder", holder}}, true);
        }
        checks.push_back(std::move(check));
    }
    co_return checks;
}

} // namespace medic::heal
