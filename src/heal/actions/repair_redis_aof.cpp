// repair_redis_aof: Redis refuses an append-only file cut short or damaged by an
// unclean shutdown. A copy goes to quarantine first; then redis-check-aof --fix (from
// the container's own image) truncates the file at the first bad command, keeping
// everything before it.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/quarantine.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

// Fixed: $1 is the data folder, $2 the owner to give the files back to.
constexpr std::string_view k_script = R"sh(set -eu
cd "$1"
if [ -d appendonlydir ]; then
	target=$(ls appendonlydir/*.manifest 2>/dev/null | head -n 1)
else
	target=appendonly.aof
fi
[ -n "$target" ] && [ -e "$target" ] || { echo "medic: no append-only file in $1"; exit 4; }
echo y | redis-check-aof --fix "$target"
chown -R "$2" "$1"
)sh";

class RepairRedisAof final : public Action {
public:
    std::string_view name() const override { return "repair_redis_aof"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "quarantine a copy of the append-only file, then truncate it at the damage with redis-check-aof --fix";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto directory = redis_data_dir(context.container);
        const auto* mount = mount_holding(context.container, directory);
        if (mount == nullptr) {
            co_return not_applicable(fmt::format("{} is not on a volume", directory));
        }
        const std::vector<std::string> files{directory + "/appendonlydir", directory + "/appendonly.aof"};
        auto kept = co_await quarantine(context, mount->destination, files, QuarantineMode::copy);
        if (!kept) {
            co_return failed("no copy could be kept, so nothing was repaired: " + kept.error().message);
        }
        const std::string fallback(traits_of(Profile::redis).owner);
        auto owner = co_await resolve_owner(context.helper, context.container, fallback);
        if (!owner) {
            co_return failed(owner.error().message);
        }
        // redis-check-aof lives in Redis' image, not in medic's busybox helper.
        const std::vector<std::string> command{"sh", "-c", std::string(k_script), "medic-repair", directory, *owner};
        auto run = co_await context.helper.run(context.container, command);
        if (!run) {
            co_return failed("the helper container could not run: " + run.error().message);
        }
        if (run->exit_code != 0) {
            co_return failed(fmt::format("redis-check-aof --fix failed (exit {}): {}", run->exit_code, run->output));
        }
        co_return acted(fmt::format("repaired the append-only file; the original is in {}/.medic-quarantine/{} "
                                    "(quarantine {}): {}",
                                    mount->destination, kept->directory, kept->id, run->output));
    }
};

} // namespace

std::unique_ptr<Action> make_repair_redis_aof()
{
    return std::make_unique<RepairRedisAof>();
}

} // namespace medic::heal
