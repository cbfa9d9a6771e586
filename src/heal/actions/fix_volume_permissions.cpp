// fix_volume_permissions: a volume the service must write belongs to someone else;
// chown it to the uid:gid the container runs as. Never chmod 777.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
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
        const std::string fallback(traits_of(context.profile).owner);
        auto owner = co_await resolve_owner(context.helper, context.container, fallback);
        if (!owner) {
            co_return not_applicable(owner.error().message);
        }
        co_return co_await chown_tree(context, *owner, paths);
    }
};

} // namespace

std::unique_ptr<Action> make_fix_volume_permissions()
{
    return std::make_unique<FixVolumePermissions>();
}

} // namespace medic::heal
