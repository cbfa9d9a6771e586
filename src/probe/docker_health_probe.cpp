// docker-health: the container's own HEALTHCHECK, as the daemon last ran it.

#include <fmt/format.h>

#include "docker/client.hpp"
#include "probe/probe_kinds.hpp"

namespace medic::probe {
namespace {

std::string one_line(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    for (auto& character : text) {
        if (character == '\n' || character == '\r') {
            character = ' ';
        }
    }
    return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

class DockerHealthProbe final : public Probe {
public:
    [[nodiscard]] std::string_view kind() const override { return "docker-health"; }
    [[nodiscard]] std::string_view summary() const override
    {
        return "the container's own HEALTHCHECK status and its last outputs";
    }

    boost::asio::awaitable<ProbeResult> run(const ProbeContext& context) const override
    {
        ProbeResult result;
        // Read afresh: the daemon runs the check on its own schedule.
        auto details = co_await context.client.inspect_container(context.container.id);
        if (!details) {
            result.status = ProbeStatus::failing;
            result.summary = details.error().message;
            co_return result;
        }
        if (!details->health || details->health->status.empty()) {
            result.summary = "no HEALTHCHECK in the container";
            co_return result;
        }
        const auto& health = *details->health;
        for (const auto& run : health.runs) {
            result.evidence +=
                fmt::format("{} exit {}: {}\n", run.end.substr(0, 19), run.exit_code, one_line(run.output));
        }
        const auto last = one_line(health.last_output());
        if (health.status == "healthy") {
            result.summary = "healthy";
        } else if (health.status == "starting") {
            result.status = ProbeStatus::starting;
            result.summary = "starting (within its start period)";
        } else {
            result.status = ProbeStatus::failing;
            result.summary = fmt::format("{} after {} failed checks; last output: {}", health.status,
                                         health.failing_streak, last.empty() ? "(none)" : last);
            result.signal = last.empty() ? "health check failed" : last;
        }
        co_return result;
    }
};

} // namespace

const Probe& docker_health_probe()
{
    static const DockerHealthProbe probe;
    return probe;
}

} // namespace medic::probe
