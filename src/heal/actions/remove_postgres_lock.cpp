// remove_postgres_lock: PostgreSQL refuses to start because postmaster.pid names a
// process that no longer runs (a crash, a kill, a PID reused in the new container).
// The file is moved to quarantine only when no postmaster can be using the data
// folder: the container is stopped and no other running container mounts the volume.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/quarantine.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

bool same_storage(const docker::MountInfo& left, const docker::MountInfo& right)
{
    if (left.type == "volume" && right.type == "volume") {
        return !left.name.empty() && left.name == right.name;
    }
    return !left.source.empty() && left.source == right.source;
}

class RemovePostgresLock final : public Action {
public:
    std::string_view name() const override { return "remove_postgres_lock"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "move a stale postmaster.pid into quarantine when no postmaster runs on that data folder";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto data = postgres_data_dir(context.container);
        const auto* mount = mount_holding(context.container, data);
        if (mount == nullptr) {
            co_return not_applicable(fmt::format("{} is not on a volume", data));
        }
        if (context.container.running || context.container.restarting) {
            co_return failed("the container is running: its postmaster may own the lock");
        }
        docker::ListContainersOptions running;
        running.all = false;
        auto others = co_await context.client.list_containers(running);
        if (!others) {
            co_return failed(others.error().message);
        }
        for (const auto& other : *others) {
            auto details = co_await context.client.inspect_container(other.id);
            if (!details || details->id == context.container.id) {
                continue;
            }
            for (const auto& their : details->mounts) {
                if (same_storage(their, *mount)) {
                    co_return failed(fmt::format("{} is running with the same data volume: its postmaster may own "
                                                 "the lock",
                                                 details->name));
                }
            }
        }
        const std::vector<std::string> read{"head", "-n", "1", data + "/postmaster.pid"};
        auto pid = co_await context.helper.run(context.container, read);
        if (pid && pid->exit_code != 0) {
            co_return not_applicable(fmt::format("there is no {}/postmaster.pid", data));
        }
        const std::vector<std::string> files{data + "/postmaster.pid"};
        auto moved = co_await quarantine(context, mount->destination, files, QuarantineMode::move);
        if (!moved) {
            co_return failed(moved.error().message);
        }
        std::string recorded = pid ? pid->output : std::string();
        while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == ' ')) {
            recorded.pop_back();
        }
        co_return acted(fmt::format("moved the stale postmaster.pid (PID {}, no postmaster runs: the container is "
                                    "stopped and no other container uses the volume) to {}/.medic-quarantine/{}",
                                    recorded, mount->destination, moved->directory));
    }
};

} // namespace

std::unique_ptr<Action> make_remove_postgres_lock()
{
    return std::make_unique<RemovePostgresLock>();
}

} // namespace medic::heal
