// stop_container: the last word on a crash loop nothing fixed. A stopped container is
// left alone by its restart policy, so the restart storm ends; a person starts it again
// (docker start) once the cause is fixed.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

class StopContainer final : public Action {
public:
    std::string_view name() const override { return "stop_container"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "stop a container that keeps crashing, so its restart policy stops restarting it";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        if (!context.container.running && !context.container.restarting) {
            co_return not_applicable("the container is not running");
        }
        auto stopped = co_await context.client.stop_container(context.container.id, 10);
        if (!stopped) {
            co_return failed("stop refused: " + stopped.error().message);
        }
        co_return acted(fmt::format("stopped {} to end its restart loop; start it with docker start {} once the "
                                    "cause is fixed",
                                    context.container.name, context.container.name));
    }
};

} // namespace

std::unique_ptr<Action> make_stop_container()
{
    return std::make_unique<StopContainer>();
}

} // namespace medic::heal
