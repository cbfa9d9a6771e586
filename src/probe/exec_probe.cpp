// exec: a command run inside the container (an argument vector, no shell): exit 0 is healthy.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "docker/client.hpp"
#include "probe/probe_kinds.hpp"

namespace medic::probe {
namespace {

std::string trimmed(const std::string& text, std::size_t limit)
{
    auto end = text.find_last_not_of("\r\n ");
    auto result = end == std::string::npos ? std::string() : text.substr(0, end + 1);
    return result.size() > limit ? result.substr(0, limit) + "..." : result;
}

class ExecProbe final : public Probe {
public:
    [[nodiscard]] std::string_view kind() const override { return "exec"; }
    [[nodiscard]] std::string_view summary() const override
    {
        return "a command inside the container (label medic.probe.exec): exit code and output";
    }

    boost::asio::awaitable<ProbeResult> run(const ProbeContext& context) const override
    {
        ProbeResult result;
        docker::ExecSpec exec;
        exec.command = context.spec.command;
        const auto command = fmt::format("{}", fmt::join(exec.command, " "));
        auto output = co_await context.client.exec(context.container.id, exec, context.spec.timeout);
        if (!output) {
            result.status = ProbeStatus::failing;
            result.summary = fmt::format("'{}' could not run: {}", command, output.error().message);
            result.signal = fmt::format("exec {}: {}", command, output.error().message);
            co_return result;
        }
        const auto said = trimmed(output->stdout_text + output->stderr_text, 500);
        result.evidence = said;
        if (output->exit_code == 0) {
            result.summary = fmt::format("'{}' exited 0", command);
            co_return result;
        }
        result.status = ProbeStatus::failing;
        result.summary =
            fmt::format("'{}' exited {}: {}", command, output->exit_code, said.empty() ? "(no output)" : said);
        result.signal = fmt::format("exec {}: exit {}: {}", command, output->exit_code, said);
        co_return result;
    }
};

} // namespace

const Probe& exec_probe()
{
    static const ExecProbe probe;
    return probe;
}

} // namespace medic::probe
