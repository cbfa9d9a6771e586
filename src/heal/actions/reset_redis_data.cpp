// reset_redis_data (destructive, off by default): when nothing else lets Redis start,
// its whole data folder goes to quarantine and Redis starts empty. Restorable.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/quarantine.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

class ResetRedisData final : public Action {
public:
    std::string_view name() const override { return "reset_redis_data"; }
    Safety safety() const override { return Safety::destructive; }
    std::string_view summary() const override
    {
        return "move all of Redis' data into quarantine so it starts empty (restorable with medic restore)";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto directory = redis_data_dir(context.container);
        const auto* mount = mount_holding(context.container, directory);
        if (mount == nullptr || mount->destination != directory) {
            co_return not_applicable(fmt::format("{} is not a volume of its own", directory));
        }
        const std::vector<std::string> nothing;
        auto moved = co_await quarantine(context, directory, nothing, QuarantineMode::move_all);
        if (!moved) {
            co_return failed(moved.error().message);
        }
        co_return acted(fmt::format("moved everything in {} to {}/.medic-quarantine/{} (quarantine {})", directory,
                                    directory, moved->directory, moved->id));
    }
};

} // namespace

std::unique_ptr<Action> make_reset_redis_data()
{
    return std::make_unique<ResetRedisData>();
}

} // namespace medic::heal
