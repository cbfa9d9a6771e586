// find_alternative_port: the host port is taken by someone else; the container is
// recreated on the first free port of its profile's range, and the new port reported.

#include <set>

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/host_ports.hpp"

namespace medic::heal {
namespace {

class FindAlternativePort final : public Action {
public:
    std::string_view name() const override { return "find_alternative_port"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "recreate the container on the first free host port of its profile's range and report it";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto wanted = context_value(context, "port");
        const docker::PortRequest* conflicting = nullptr;
        for (const auto& port : context.container.port_requests) {
            if (std::to_string(port.host_port) == wanted) {
                conflicting = &port;
            }
        }
        if (conflicting == nullptr) {
            co_return not_applicable(fmt::format("the container publishes no host port {}", wanted));
        }
        auto range = context.options.port_range(context.profile);
        if (range.first == 0) {
            range = {static_cast<std::uint16_t>(conflicting->host_port + 1),
                     static_cast<std::uint16_t>(conflicting->host_port + 10)};
        }
        auto containers = co_await context.client.list_containers();
        std::set<std::uint16_t> published;
        if (containers) {
            for (const auto& summary : *containers) {
                for (const auto& port : summary.ports) {
                    published.insert(port.public_port);
                }
            }
        }
        for (unsigned candidate = range.first; candidate <= range.last; ++candidate) {
            const auto port = static_cast<std::uint16_t>(candidate);
            if (published.contains(port) || !port_bindable(conflicting->host_ip, port)) {
                continue;
            }
            ReplacementChanges changes;
            changes.host_ports[fmt::format("{}/{}", conflicting->container_port, conflicting->protocol)] = port;
            auto replaced = co_await replace_container(context, changes);
            if (replaced.outcome == ActionOutcome::done) {
                replaced.detail =
                    fmt::format("host port {} was taken; {} now publishes {} on {}:{} ({})", wanted,
                                context.container.name, conflicting->container_port,
                                conflicting->host_ip.empty() ? "0.0.0.0" : conflicting->host_ip, port, replaced.detail);
            }
            co_return replaced;
        }
        co_return failed(fmt::format("no free host port in {}-{}", range.first, range.last));
    }
};

} // namespace

std::unique_ptr<Action> make_find_alternative_port()
{
    return std::make_unique<FindAlternativePort>();
}

} // namespace medic::heal
