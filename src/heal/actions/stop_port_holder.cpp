// stop_port_holder (host class, off by default): the port the container needs is
// held by another container, which is stopped, or by a host process, which gets SIGTERM.

#include <signal.h>

#include <charconv>

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/host_ports.hpp"

namespace medic::heal {
namespace {

class StopPortHolder final : public Action {
public:
    std::string_view name() const override { return "stop_port_holder"; }
    Safety safety() const override { return Safety::host; }
    std::string_view summary() const override
    {
        return "stop the container, or terminate the host process, that holds the port the container needs";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto text = context_value(context, "port");
        unsigned port = 0;
        if (auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
            error != std::errc{} || port == 0 || port > 65535) {
            co_return not_applicable("the error names no port");
        }
        auto containers = co_await context.client.list_containers();
        if (containers) {
            for (const auto& summary : *containers) {
                if (summary.id == context.container.id || summary.state != "running") {
                    continue;
                }
                for (const auto& published : summary.ports) {
                    if (published.public_port != port) {
                        continue;
                    }
                    auto details = co_await context.client.inspect_container(summary.id);
                    if (details && is_medic_container(*details, context.options)) {
                        co_return failed("the port is held by medic itself");
                    }
                    auto stopped = co_await context.client.stop_container(summary.id, 10);
                    if (!stopped) {
                        co_return failed("could not stop " + summary.name() + ": " + stopped.error().message);
                    }
                    co_return acted(fmt::format("stopped container {} which held host port {}", summary.name(), port));
                }
            }
        }
        auto holder = port_holder_process(static_cast<std::uint16_t>(port));
        if (!holder) {
            co_return failed(fmt::format("no container or visible host process holds port {}", port));
        }
        if (::kill(holder->pid, SIGTERM) != 0) {
            co_return failed(
                fmt::format("could not signal process {} ({}) holding port {}", holder->pid, holder->command, port));
        }
        co_return acted(
            fmt::format("sent SIGTERM to host process {} ({}) which held port {}", holder->pid, holder->command, port));
    }
};

} // namespace

std::unique_ptr<Action> make_stop_port_holder()
{
    return std::make_unique<StopPortHolder>();
}

} // namespace medic::heal
