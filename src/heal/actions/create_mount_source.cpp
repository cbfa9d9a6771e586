// create_mount_source: a bind mount's source folder is missing on the host (a disk not
// mounted yet, a folder deleted). The daemon creates a missing -v source itself, so a
// helper container with that one bind creates it, with no host path access by medic.
// Only a source the container itself binds is created: never a path from log text alone.

#include <algorithm>

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

class CreateMountSource final : public Action {
public:
    std::string_view name() const override { return "create_mount_source"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override
    {
        return "create the missing host folder of one of the container's bind mounts, owned by its user";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        auto path = context_value(context, "path");
        while (path.size() > 1 && path.back() == '/') {
            path.pop_back();
        }
        const auto sources = configured_bind_sources(context.container);
        if (path.empty() || path == "/" || std::find(sources.begin(), sources.end(), path) == sources.end()) {
            co_return not_applicable(fmt::format("{} is not the source of a bind mount of this container", path));
        }
        const std::string source = path;
        // The owner only when known without the image (its volumes cannot be mounted yet).
        const auto& user = context.container.user;
        std::string owner = user.empty() ? std::string(traits_of(context.profile).owner) : user;
        if (owner.find_first_not_of("0123456789:") != std::string::npos) {
            owner.clear();
        } else if (!owner.empty() && owner.find(':') == std::string::npos) {
            owner += ":" + owner;
        }
        std::vector<std::string> command{"true"};
        if (!owner.empty()) {
            command = {"chown", owner, "/medic-mount-source"};
        }
        HelperOptions options;
        options.volumes_from = false;
        options.binds = {source + ":/medic-mount-source"};
        auto run = co_await context.helper.run(context.container, command, options);
        if (!run) {
            co_return failed("the helper container could not run: " + run.error().message);
        }
        if (run->exit_code != 0) {
            co_return failed(fmt::format("creating {} failed (exit {}): {}", source, run->exit_code, run->output));
        }
        co_return acted(fmt::format("created the host folder {}{}", source,
                                    owner.empty() ? " (owned by root)" : ", owned by " + owner));
    }
};

} // namespace

std::unique_ptr<Action> make_create_mount_source()
{
    return std::make_unique<CreateMountSource>();
}

} // namespace medic::heal
