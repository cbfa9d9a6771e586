// reconnect_network: the container was cut off the network it was created on (a
// `docker network disconnect`, a network recreated under it). It is connected again.
// Networks it is still attached to are left alone: no blip for a working service.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/container_state.hpp"

namespace medic::heal {
namespace {

class ReconnectNetwork final : public Action {
public:
    std::string_view name() const override { return "reconnect_network"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override { return "connect the container again to the network it was created on"; }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto& container = context.container;
        if (!lost_its_network(container)) {
            co_return not_applicable("the container is attached to the network it was created on");
        }
        auto connected = co_await context.client.connect_network(container.network_mode, container.id);
        if (!connected) {
            co_return failed(
                fmt::format("could not connect to {}: {}", container.network_mode, connected.error().message));
        }
        co_return acted(fmt::format("connected {} to {} again", container.name, container.network_mode));
    }
};

} // namespace

std::unique_ptr<Action> make_reconnect_network()
{
    return std::make_unique<ReconnectNetwork>();
}

} // namespace medic::heal
