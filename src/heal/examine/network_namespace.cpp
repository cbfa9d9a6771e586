// network_namespace: a container created with network_mode container:X (compose
// service:X, the VPN-sidecar pattern) lives in X's network namespace. When X restarts,
// the container keeps the old, dead namespace and its ports never answer again: X must
// exist and run, and the container must be in X's current namespace.

#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "heal/examine/checks.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

/// "net:[4026532303]" of a process, when /proc shows it.
std::string namespace_of(int pid)
{
    std::error_code error;
    auto target = std::filesystem::read_symlink(fmt::format("/proc/{}/ns/net", pid), error);
    return error ? std::string() : target.string();
}

std::int64_t started_nanos(const docker::ContainerDetails& container)
{
    const auto parsed = parse_rfc3339(container.started_at);
    return parsed ? unix_nanos(*parsed) : 0;
}

} // namespace

boost::asio::awaitable<std::vector<Check>> check_network_namespace(ExamineContext& context)
{
    std::vector<Check> checks;
    const auto& container = context.container;
    if (!container.network_mode.starts_with("container:")) {
        co_return checks;
    }
    const auto owner_reference = container.network_mode.substr(10);
    Check check;
    check.kind = CheckKind::network_namespace;
    check.subject = container.network_mode;
    auto owner = co_await context.client.inspect_container(owner_reference);
    if (!owner) {
        check.outcome = owner.error().is_status(404) ? CheckOutcome::failed : CheckOutcome::unknown;
        check.evidence = fmt::format("the container whose network it joins ({}) {}", owner_reference,
                                     owner.error().is_status(404) ? "does not exist" : owner.error().message);
        if (check.outcome == CheckOutcome::failed) {
            check.finding = check_finding(ErrorType::network_error, "check-network-owner-missing", check.evidence,
                                          {{"dependency", owner_reference}}, false);
        }
        checks.push_back(std::move(check));
        co_return checks;
    }
    check.subject = "container:" + owner->name;
    if (!owner->running) {
        check.outcome = CheckOutcome::failed;
        check.evidence = fmt::format("{}, whose network it joins, is not running ({})", owner->name, owner->status);
        check.finding = check_finding(ErrorType::network_error, "check-network-owner-down", check.evidence,
                                      {{"dependency", owner->name}}, true);
    } else if (!container.running || container.restarting) {
        check.outcome = CheckOutcome::passed;
        check.evidence = fmt::format("{} runs; a start joins its current namespace", owner->name);
    } else {
        const auto ours = context.on_host ? namespace_of(container.pid) : std::string();
        const auto theirs = context.on_host ? namespace_of(owner->pid) : std::string();
        bool stale = false;
        std::string how;
        if (!ours.empty() && !theirs.empty()) {
            stale = ours != theirs;
            how = fmt::format("its namespace {} is not {}'s {}", ours, owner->name, theirs);
        } else {
            stale = started_nanos(*owner) > started_nanos(container);
            how = fmt::format("{} started at {}, after it (started {})", owner->name, owner->started_at,
                              container.started_at);
        }
        check.outcome = stale ? CheckOutcome::failed : CheckOutcome::passed;
        check.evidence = stale ? fmt::format("it is in a stale network namespace: {}; it holds {}'s previous "
                                             "namespace, where nothing reaches it",
                                             how, owner->name)
                               : fmt::format("it shares {}'s current network namespace", owner->name);
        if (stale) {
            check.finding = check_finding(ErrorType::network_error, "check-network-namespace", check.evidence,
                                          {{"dependency", owner->name}}, true);
        }
    }
    checks.push_back(std::move(check));
    co_return checks;
}

} // namespace medic::heal
