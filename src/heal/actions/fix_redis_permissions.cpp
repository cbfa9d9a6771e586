// fix_redis_permissions: Redis cannot write its data folder (appendonlydir, dump.rdb);
// chown the folder to the user Redis runs as (999:999 in the official image).

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

class FixRedisPermissions final : public Action {
public:
    std::string_view name() const override { return "fix_redis_permissions"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override { return "chown Redis' data folder to the user Redis runs as"; }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto directory = redis_data_dir(context.container);
        if (mount_holding(context.container, directory) == nullptr) {
            co_return not_applicable(fmt::format("{} is not on a volume: its owner comes from the image", directory));
        }
        const std::string fallback(traits_of(Profile::redis).owner);
        auto owner = co_await service_owner(context, fallback);
        if (!owner) {
            co_return failed(owner.error().message);
        }
        const std::vector<std::string> paths{directory};
        co_return co_await chown_tree(context, *owner, paths);
    }
};

} // namespace

std::unique_ptr<Action> make_fix_redis_permissions()
{
    return std::make_unique<FixRedisPermissions>();
}

} // namespace medic::heal
