// fix_volume_permissions: a volume the service must write belongs to someone else;
// chown it to the uid:gid the container runs as. Never chmod 777.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "heal/actions/action_support.hpp"
#include "heal/examination.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

/// Mount points medic never chowns: the Docker socket and system folders.
bool is_system_path(const std::string& destination)
{
    for (std::string_view prefix : {"/var/run/docker.sock", "/run/docker.sock", "/etc", "/proc", "/sys", "/dev", "/usr",
                                    "/bin", "/sbin", "/lib", "/boot"}) {
        if (destination == prefix || destination.starts_with(std::string(prefix) + "/")) {
            return true;
        }
    }
    return destination == "/";
}

class FixVolumePermissions final : public Action {
public:
    std::string_view name() const override { return "fix_volume_permissions"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override
    {
        return "chown the volume the error names (else the writable volumes) to the user the container runs as";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const std::string fallback(traits_of(context.profile).owner);
        // What the examination saw blocked, for the user the service really runs as.
        if (const auto blocked = examined_blocked_paths(context); !blocked.empty()) {
            co_return co_await fix_blocked(context, blocked, fallback);
        }
        std::vector<std::string> paths;
        const auto path = context_value(context, "path");
        if (!path.empty() && path.front() == '/') {
            if (const auto* mount = mount_holding(context.container, path);
                mount && !is_system_path(mount->destination)) {
                paths.push_back(mount->destination);
            }
        }
        if (paths.empty()) {
            for (const auto& mount : context.container.mounts) {
                if (mount.read_write && (mount.type == "bind" || mount.type == "volume") &&
                    !is_system_path(mount.destination)) {
                    paths.push_back(mount.destination);
                }
            }
        }
        if (paths.empty()) {
            co_return not_applicable("the container has no writable volume to fix");
        }
        auto owner = co_await service_owner(context, fallback);
        if (!owner) {
            co_return not_applicable(owner.error().message);
        }
        co_return co_await chown_tree(context, *owner, paths);
    }

private:
    /// chown -R each blocked path on a volume; where the owner is already right, the mode is
    /// what blocks: the owner gets rwX (never more than the owner).
    static boost::asio::awaitable<ActionResult>
    fix_blocked(ActionContext& context, const std::vector<BlockedPath>& blocked, const std::string& fallback)
    {
        auto owner = co_await service_owner(context, fallback);
        if (!owner) {
            co_return not_applicable(owner.error().message);
        }
        std::vector<std::string> chowned;
        std::vector<std::string> chmodded;
        for (const auto& item : blocked) {
            const auto* mount = mount_holding(context.container, item.path);
            if (mount == nullptr || is_system_path(mount->destination) || is_system_path(item.path)) {
                continue;
            }
            (item.current_owner == *owner ? chmodded : chowned).push_back(item.path);
        }
        if (chowned.empty() && chmodded.empty()) {
            co_return not_applicable("what blocks the service is not on a volume medic may change");
        }
        std::string done;
        if (!chowned.empty()) {
            auto result = co_await chown_tree(context, *owner, chowned);
            if (result.outcome != ActionOutcome::done) {
                co_return result;
            }
            done = result.detail;
        }
        if (!chmodded.empty()) {
            std::vector<std::string> command{"chmod", "-R", "u+rwX"};
            command.insert(command.end(), chmodded.begin(), chmodded.end());
            auto run = co_await context.helper.run(context.container, command);
            if (!run || run->exit_code != 0) {
                co_return failed("chmod -R u+rwX failed: " + (run ? run->output : run.error().message));
            }
            done += fmt::format("{}chmod -R u+rwX {} (owned by {} already)", done.empty() ? "" : "; ",
                                fmt::join(chmodded, " "), *owner);
        }
        co_return acted(done + " (from the examination: " + context.examination->user.detail + ")");
    }
};

} // namespace

std::unique_ptr<Action> make_fix_volume_permissions()
{
    return std::make_unique<FixVolumePermissions>();
}

} // namespace medic::heal
