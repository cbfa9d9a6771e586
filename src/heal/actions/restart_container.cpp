// restart_container: the gentlest step; the engine then waits until the service is healthy.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

class RestartContainer final : public Action {
public:
    std::string_view name() const override { return "restart_container"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override { return "restart the container, then wait until it is healthy"; }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        if (context.incident.type == classify::ErrorType::crash_loop && has_restart_policy(context.container)) {
            co_return not_applicable(fmt::format("its restart policy ({}) restarts it already: another restart "
                                                 "would only feed the loop",
                                                 context.container.restart_policy));
        }
        auto restarted = co_await context.client.restart_container(context.container.id, 10);
        if (!restarted) {
            co_return failed("restart refused: " + restarted.error().message);
        }
        co_return acted(fmt::format("restarted {}", context.container.name));
    }
};

} // namespace

std::unique_ptr<Action> make_restart_container()
{
    return std::make_unique<RestartContainer>();
}

} // namespace medic::heal
