// remove_conflicting_container: a name is held by a container that is not running (a
// leftover of an earlier deploy); medic journals its full configuration, then removes it.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

class RemoveConflictingContainer final : public Action {
public:
    std::string_view name() const override { return "remove_conflicting_container"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "remove the stopped container that holds a wanted name (its configuration journaled first)";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto held = context_value(context, "container");
        if (held.empty()) {
            co_return not_applicable("the error names no container");
        }
        auto holder = co_await context.client.inspect_container(held);
        if (!holder) {
            co_return holder.error().is_status(404)
                ? not_applicable(fmt::format("no container holds the name {} any more", held))
                : failed(holder.error().message);
        }
        if (holder->id == context.container.id) {
            co_return not_applicable("the name is held by the container itself");
        }
        if (holder->running || holder->restarting) {
            co_return failed(fmt::format("{} is running: medic removes only containers that are not running", held));
        }
        if (is_medic_container(*holder, context.options) || holder->labels.contains("medic.keep") ||
            (holder->labels.contains("medic.enable") && holder->labels.at("medic.enable") == "false")) {
            co_return failed(fmt::format("{} is marked to be kept (medic.keep or medic.enable=false)", held));
        }
        if (context.record_before) {
            context.record_before(holder->raw_json);
        }
        auto removed = co_await context.client.remove_container(holder->id);
        if (!removed) {
            co_return failed("removal refused: " + removed.error().message);
        }
        co_return acted(fmt::format("removed the stopped container {} ({}, image {}) that held the name; its "
                                    "configuration is in the journal",
                                    held, holder->id.substr(0, 12), holder->image));
    }
};

} // namespace

std::unique_ptr<Action> make_remove_conflicting_container()
{
    return std::make_unique<RemoveConflictingContainer>();
}

} // namespace medic::heal
