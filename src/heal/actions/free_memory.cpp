// free_memory: the host or the container ran out of memory. Stops the running
// containers labelled medic.priority=low; with the host class enabled, also asks the
// kernel to drop its clean caches.

#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

class FreeMemory final : public Action {
public:
    std::string_view name() const override { return "free_memory"; }
    Safety safety() const override { return Safety::disruptive; }
    std::string_view summary() const override
    {
        return "stop running containers labelled medic.priority=low (and drop the page cache when host actions are "
               "enabled)";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        docker::ListContainersOptions options;
        options.all = false;
        options.filters["label"] = {"medic.priority=low"};
        auto low = co_await context.client.list_containers(options);
        if (!low) {
            co_return failed(low.error().message);
        }
        std::vector<std::string> stopped;
        for (const auto& summary : *low) {
            if (summary.id == context.container.id || (!context.options.self_container_id.empty() &&
                                                       summary.id.starts_with(context.options.self_container_id))) {
                continue;
            }
            if (auto stop = co_await context.client.stop_container(summary.id, 10); stop) {
                stopped.push_back(summary.name());
            }
        }
        std::string caches;
        if (context.options.policy.allow_host) {
            ::sync();
            std::ofstream drop("/proc/sys/vm/drop_caches");
            drop << "3\n";
            caches = drop ? "; dropped the page cache" : "; could not drop the page cache";
        }
        if (stopped.empty() && caches.empty()) {
            co_return not_applicable("no running container is labelled medic.priority=low");
        }
        co_return acted(fmt::format("stopped {} low-priority container(s): {}{}", stopped.size(),
                                    fmt::join(stopped, ", "), caches));
    }
};

} // namespace

std::unique_ptr<Action> make_free_memory()
{
    return std::make_unique<FreeMemory>();
}

} // namespace medic::heal
