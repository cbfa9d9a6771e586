// fix_postgres_permissions: PostgreSQL refuses a data folder it does not own or that
// others can read; chown it to the user postgres runs as and set 0700, nothing wider.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

// Fixed: container data arrives as $1 (owner), $2 (mount point), $3 (PGDATA).
constexpr std::string_view k_script = R"sh(set -eu
chown -R "$1" "$2"
if [ -d "$3" ]; then chown -R "$1" "$3"; chmod 0700 "$3"; fi
)sh";

class FixPostgresPermissions final : public Action {
public:
    std::string_view name() const override { return "fix_postgres_permissions"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override
    {
        return "chown PostgreSQL's data folder to the user postgres runs as and set its mode to 0700";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto data = postgres_data_dir(context.container);
        const auto* mount = mount_holding(context.container, data);
        if (mount == nullptr) {
            co_return not_applicable(fmt::format("{} is not on a volume: its owner comes from the image", data));
        }
        const std::string fallback(traits_of(Profile::postgres).owner);
        auto owner = co_await service_owner(context, fallback);
        if (!owner) {
            co_return failed(owner.error().message);
        }
        const std::vector<std::string> command{
            "sh", "-c", std::string(k_script), "medic-fix", *owner, mount->destination, data};
        auto run = co_await context.helper.run(context.container, command);
        if (!run) {
            co_return failed("the helper container could not run: " + run.error().message);
        }
        if (run->exit_code != 0) {
            co_return failed(fmt::format("chown/chmod failed (exit {}): {}", run->exit_code, run->output));
        }
        co_return acted(fmt::format("chown -R {} {} and chmod 0700 {}", *owner, mount->destination, data));
    }
};

} // namespace

std::unique_ptr<Action> make_fix_postgres_permissions()
{
    return std::make_unique<FixPostgresPermissions>();
}

} // namespace medic::heal
