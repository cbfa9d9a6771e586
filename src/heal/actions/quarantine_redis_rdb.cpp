// quarantine_redis_rdb: Redis cannot load a damaged RDB snapshot. The file goes to
// quarantine (not deleted); Redis then starts from its append-only file if it has one,
// else empty, and the snapshot can be restored or inspected with redis-check-rdb.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/quarantine.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

std::string rdb_file_name(const ActionContext& context)
{
    const auto& command = context.container.command;
    for (std::size_t index = 0; index + 1 < command.size(); ++index) {
        if (command[index] == "--dbfilename") {
            return command[index + 1];
        }
    }
    const auto file = context_value(context, "file");
    if (file.ends_with(".rdb") && file.find('/') == std::string::npos && file.find("..") == std::string::npos) {
        return file;
    }
    return "dump.rdb";
}

class QuarantineRedisRdb final : public Action {
public:
    std::string_view name() const override { return "quarantine_redis_rdb"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "move the damaged RDB snapshot into quarantine so Redis starts (from its AOF when it has one)";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto directory = redis_data_dir(context.container);
        const auto* mount = mount_holding(context.container, directory);
        if (mount == nullptr) {
            co_return not_applicable(fmt::format("{} is not on a volume", directory));
        }
        const std::vector<std::string> files{directory + "/" + rdb_file_name(context)};
        auto moved = co_await quarantine(context, mount->destination, files, QuarantineMode::move);
        if (!moved) {
            co_return failed(moved.error().message);
        }
        if (moved->items.empty()) {
            co_return not_applicable(fmt::format("there is no {}", files.front()));
        }
        co_return acted(fmt::format("moved {} to {}/.medic-quarantine/{} (quarantine {})", files.front(),
                                    mount->destination, moved->directory, moved->id));
    }
};

} // namespace

std::unique_ptr<Action> make_quarantine_redis_rdb()
{
    return std::make_unique<QuarantineRedisRdb>();
}

} // namespace medic::heal
