// cleanup_disk_space: the disk is full. Frees what Docker can rebuild: dangling images,
// containers stopped for more than a day, unused networks and the build cache, each
// unless labelled medic.keep=true. Never volumes: they hold user data.

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

class CleanupDiskSpace final : public Action {
public:
    std::string_view name() const override { return "cleanup_disk_space"; }
    Safety safety() const override { return Safety::safe; }
    std::string_view summary() const override
    {
        return "prune dangling images, day-old stopped containers, unused networks and the build cache (never "
               "volumes)";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        std::int64_t reclaimed = 0;
        std::vector<std::string> report;
        const docker::Labels keep{{"label!", "medic.keep=true"}};
        const docker::Labels old_and_not_kept{{"label!", "medic.keep=true"}, {"until", "24h"}};
        const std::array<std::pair<docker::PruneTarget, const docker::Labels*>, 4> targets{{
            {docker::PruneTarget::containers, &old_and_not_kept},
            {docker::PruneTarget::images, &keep},
            {docker::PruneTarget::networks, &keep},
            {docker::PruneTarget::build_cache, nullptr},
        }};
        constexpr std::array<std::string_view, 4> k_names{"containers", "images", "networks", "build cache"};
        for (std::size_t index = 0; index < targets.size(); ++index) {
            const docker::Labels none;
            const auto& filters = targets[index].second != nullptr ? *targets[index].second : none;
            auto pruned = co_await context.client.prune(targets[index].first, filters);
            if (!pruned) {
                report.push_back(fmt::format("{}: {}", k_names[index], pruned.error().message));
                continue;
            }
            reclaimed += pruned->space_reclaimed;
            report.push_back(fmt::format("{}: {} removed", k_names[index], pruned->deleted.size()));
        }
        co_return acted(
            fmt::format("reclaimed {:.1f} MB ({})", static_cast<double>(reclaimed) / 1e6, fmt::join(report, ", ")));
    }
};

} // namespace

std::unique_ptr<Action> make_cleanup_disk_space()
{
    return std::make_unique<CleanupDiskSpace>();
}

} // namespace medic::heal
