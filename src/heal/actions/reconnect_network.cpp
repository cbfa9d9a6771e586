// reconnect_network: the container lost its network (disconnected, or a stale endpoint
// after a network was recreated). It is connected again to the network it was created
// on, and its other networks are refreshed (disconnect, connect).

#include <algorithm>

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

bool is_user_network(const std::string& mode)
{
    return !mode.empty() && mode != "default" && mode != "bridge" && mode != "host" && mode != "none" &&
           !mode.starts_with("container:");
}

class ReconnectNetwork final : public Action {
public:
    std::string_view name() const override { return "reconnect_network"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override
    {
        return "connect the container again to its networks (the one it was created on included)";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        auto& client = context.client;
        const auto& container = context.container;
        std::vector<std::string> done;
        const bool attached = std::find(container.networks.begin(), container.networks.end(), container.network_mode) !=
                              container.networks.end();
        if (is_user_network(container.network_mode) && !attached) {
            auto connected = co_await client.connect_network(container.network_mode, container.id);
            if (!connected) {
                co_return failed(
                    fmt::format("could not connect to {}: {}", container.network_mode, connected.error().message));
            }
            done.push_back("connected " + container.network_mode);
        }
        for (const auto& network : container.networks) {
            if (!is_user_network(network)) {
                continue;
            }
            co_await client.disconnect_network(network, container.id);
            auto connected = co_await client.connect_network(network, container.id);
            if (!connected) {
                co_return failed(fmt::format("could not reconnect to {}: {}", network, connected.error().message));
            }
            done.push_back("reconnected " + network);
        }
        if (done.empty()) {
            co_return not_applicable("the container uses no user-defined network");
        }
        co_return acted(fmt::format("{}", fmt::join(done, ", ")));
    }
};

} // namespace

std::unique_ptr<Action> make_reconnect_network()
{
    return std::make_unique<ReconnectNetwork>();
}

} // namespace medic::heal
