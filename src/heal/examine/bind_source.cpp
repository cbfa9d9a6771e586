// bind_source: the host folders a stopped container binds exist. The daemon answers
// for its own host, wherever medic runs: a container created (never started) with
// that one bind is refused when the source is missing, then removed.

#include <algorithm>

#include <fmt/format.h>

#include "heal/container_config.hpp"
#include "heal/examine/checks.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

} // namespace

boost::asio::awaitable<std::vector<Check>> check_bind_sources(ExamineContext& context)
{
    std::vector<Check> checks;
    const auto& container = context.container;
    if (container.running && !container.restarting) {
        co_return checks; // it runs: its mounts were made
    }
    for (const auto& source : configured_bind_sources(container)) {
        Check check;
        check.kind = CheckKind::bind_source;
        check.subject = source;
        docker::ContainerSpec probe;
        probe.image = context.helper.fallback_image();
        probe.entrypoint = std::vector<std::string>{"true"};
        probe.network_mode = "none";
        probe.labels = {{"medic.helper", "true"}, {"medic.helper.for", container.name}};
        probe.mounts = {docker::MountSpec{"bind", source, "/medic-bind-source", true}};
        auto created = co_await context.client.create_container("", probe);
        if (created) {
            docker::RemoveOptions remove;
            remove.force = true;
            co_await context.client.remove_container(*created, remove);
            check.outcome = CheckOutcome::passed;
            check.evidence = fmt::format("{} exists on the host", source);
        } else if (created.error().message.find("does not exist") != std::string::npos) {
            const bool strict = std::find(container.strict_bind_sources.begin(), container.strict_bind_sources.end(),
                                          source) != container.strict_bind_sources.end();
            if (strict) {
                check.outcome = CheckOutcome::failed;
                check.evidence = fmt::format("the bind source {} does not exist on the host: the daemon refuses to "
                                             "start the container",
                                             source);
                check.finding = check_finding(ErrorType::volume_mount_error, "check-bind-source", check.evidence,
                                              {{"path", source}}, true);
            } else {
                check.outcome = CheckOutcome::warning;
                check.evidence = fmt::format("the bind source {} does not exist on the host: Docker creates it empty "
                                             "at the next start (was a disk not mounted?)",
                                             source);
            }
        } else {
            check.outcome = CheckOutcome::unknown;
            check.evidence = fmt::format("could not ask the daemon about {}: {}", source, created.error().message);
        }
        checks.push_back(std::move(check));
    }
    co_return checks;
}

} // namespace medic::heal
