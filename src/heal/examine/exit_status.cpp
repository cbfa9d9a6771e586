// exit_status: what the exit code of a stopped container says. 137 is SIGKILL: the
// kernel's OOM killer at the memory limit (State.OOMKilled), a stop that outlived its
// timeout, or a kill from outside Docker. 126/127: the command could not run.

#include <fmt/format.h>

#include "heal/examine/checks.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

std::string limit_text(std::int64_t bytes)
{
    return bytes <= 0 ? std::string("no memory limit: the host itself ran out")
                      : fmt::format("its memory limit of {} MiB", bytes / (1024 * 1024));
}

} // namespace

std::vector<Check> check_exit_status(const ExamineContext& context)
{
    const auto& container = context.container;
    if ((container.running && !container.restarting) || container.finished_at.empty() ||
        container.finished_at.starts_with("0001-")) {
        return {};
    }
    Check check;
    check.kind = CheckKind::exit_status;
    check.subject = fmt::format("exit code {}", container.exit_code);
    check.outcome = CheckOutcome::passed;
    const int code = container.exit_code;
    if (container.oom_killed) {
        check.outcome = CheckOutcome::failed;
        check.evidence = fmt::format("killed by the kernel's OOM killer (OOMKilled, exit code {}) at {}", code,
                                     limit_text(container.memory_limit));
        check.finding =
            check_finding(ErrorType::resource_exhausted, "check-oom-killed", check.evidence,
                          {{"resource", "memory"}, {"limit", std::to_string(container.memory_limit)}}, true);
    } else if (code == 137 || code == 143) {
        const auto signal = code == 137 ? "SIGKILL" : "SIGTERM";
        if (context.request.stop_requested) {
            check.evidence = code == 137 ? "stopped by docker stop or kill, killed after its stop timeout"
                                         : "stopped by docker stop (SIGTERM)";
        } else {
            check.outcome = CheckOutcome::warning;
            check.evidence = fmt::format("ended by {} from outside Docker (exit code {}), not OOMKilled: the host's "
                                         "OOM killer, or a person's kill",
                                         signal, code);
        }
    } else if (code == 126 || code == 127) {
        check.outcome = CheckOutcome::warning;
        check.evidence = fmt::format("exit code {}: its command {} (see the entrypoint check)", code,
                                     code == 126 ? "could not be executed" : "was not found");
    } else if (code == 139 || code == 134) {
        check.outcome = CheckOutcome::warning;
        check.evidence = fmt::format("exit code {}: the program crashed ({}): a bug or a broken binary, not its "
                                     "environment",
                                     code, code == 139 ? "segmentation fault" : "abort");
    } else {
        check.evidence = code == 0 ? "exited cleanly (exit code 0)" : fmt::format("exited with code {}", code);
    }
    return {std::move(check)};
}

} // namespace medic::heal
