// recreate_container: a fresh container with the same configuration, for trouble that
// lives in the container itself (its writable layer, a wedged network endpoint).

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

class RecreateContainer final : public Action {
public:
    std::string_view name() const override { return "recreate_container"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "replace the container with a fresh one of the same configuration and volumes";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const ReplacementChanges unchanged;
        co_return co_await replace_container(context, unchanged);
    }
};

} // namespace

std::unique_ptr<Action> make_recreate_container()
{
    return std::make_unique<RecreateContainer>();
}

} // namespace medic::heal
