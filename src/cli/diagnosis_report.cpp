#include "cli/diagnosis.hpp"

#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "heal/container_state.hpp"
#include "heal/heal_policy.hpp"

namespace medic::cli {
namespace {

using nlohmann::json;

std::string describe_step(const heal::PlaybookStep& step, const heal::ContainerPolicy& policy)
{
    const auto& action = *step.action;
    const auto permission = heal::permits(policy, heal::HostPolicy{}, action.name(), action.safety());
    auto text = fmt::format("{} ({}): {}", action.name(), heal::to_string(action.safety()), action.summary());
    if (permission != heal::Permission::allowed) {
        text += fmt::format(" [not taken: {}]", heal::explain(permission, action.name(), action.safety()));
    }
    return text;
}

json to_json(const Diagnosis& diagnosis)
{
    const auto policy = heal::policy_from_labels(diagnosis.container.labels, heal::HostPolicy{});
    json probes = json::array();
    for (const auto& run : diagnosis.probes) {
        probes.push_back({{"kind", run.spec.kind},
                          {"address", run.spec.address ? run.spec.address->to_string() : ""},
                          {"address_source", run.spec.address ? run.spec.address->source : ""},
                          {"interval_ms", run.spec.interval.count()},
                          {"status", std::string(probe::to_string(run.result.status))},
                          {"summary", run.result.summary},
                          {"evidence", run.result.evidence},
                          {"failed_checks", run.result.failed_checks},
                          {"elapsed_ms", run.result.elapsed.count()}});
    }
    json problems = json::array();
    for (const auto& problem : diagnosis.problems) {
        json item{{"source", problem.source},
                  {"type", std::string(classify::to_string(problem.finding.type))},
                  {"rule", problem.finding.source_id()},
                  {"evidence", problem.finding.text},
                  {"context", problem.finding.context}};
        if (problem.playbook != nullptr) {
            json steps = json::array();
            for (const auto& step : problem.playbook->steps) {
                const auto permission =
                    heal::permits(policy, heal::HostPolicy{}, step.action->name(), step.action->safety());
                steps.push_back({{"action", std::string(step.action->name())},
                                 {"safety", std::string(heal::to_string(step.action->safety()))},
                                 {"allowed", permission == heal::Permission::allowed}});
            }
            item["playbook"] = {{"source", problem.playbook->source},
                                {"steps", steps},
                                {"attempts", problem.playbook->attempts},
                                {"advice", problem.playbook->advice}};
        }
        problems.push_back(std::move(item));
    }
    json disks = json::array();
    for (const auto& disk : diagnosis.host.disks) {
        disks.push_back({{"path", disk.path},
                         {"what", disk.what},
                         {"total_bytes", disk.total_bytes},
                         {"available_bytes", disk.available_bytes},
                         {"used_percent", disk.used_percent()}});
    }
    const auto& host = diagnosis.host;
    const auto examination =
        diagnosis.examination ? json::parse(heal::to_json(*diagnosis.examination), nullptr, false) : json(nullptr);
    return {{"container", diagnosis.container.name},
            {"examination", examination},
            {"id", diagnosis.container.id},
            {"profile", std::string(heal::to_string(diagnosis.profile))},
            {"state", heal::describe_state(diagnosis.container)},
            {"healthy", diagnosis.problems.empty()},
            {"label_problems", diagnosis.plan_problems},
            {"probes", probes},
            {"problems", problems},
            {"host",
             {{"ping_ms", host.ping_ms ? json(*host.ping_ms) : json(nullptr)},
              {"docker_root_dir", host.docker_root_dir},
              {"disks", disks},
              {"memory_total", host.memory_total},
              {"memory_available", host.memory_available},
              {"memory_pressure", host.memory_pressure ? json(*host.memory_pressure) : json(nullptr)}}}};
}

} // namespace

std::string diagnosis_json(const Diagnosis& diagnosis)
{
    // Container output may be any bytes: invalid UTF-8 is replaced, never fatal.
    return to_json(diagnosis).dump(2, ' ', false, json::error_handler_t::replace);
}

void print_diagnosis(const Diagnosis& diagnosis)
{
    const auto& container = diagnosis.container;
    const auto policy = heal::policy_from_labels(container.labels, heal::HostPolicy{});
    std::cout << fmt::format("{} ({}), profile {}\n  {}\n", container.name, container.id.substr(0, 12),
                             heal::to_string(diagnosis.profile), heal::describe_state(container));
    for (const auto& problem : diagnosis.plan_problems) {
        std::cout << fmt::format("  label: {}\n", problem);
    }
    std::cout << "\nProbes\n";
    if (diagnosis.probes.empty()) {
        std::cout << (container.running ? "  none apply (no published port, no medic.* probe labels)\n"
                                        : "  not run: the container is not running\n");
    }
    for (const auto& run : diagnosis.probes) {
        std::cout << fmt::format("  {:<13} {:<8} {} ({} ms)\n", run.spec.kind, probe::to_string(run.result.status),
                                 run.result.summary, run.result.elapsed.count());
        if (!run.result.evidence.empty() && run.result.status != probe::ProbeStatus::ok) {
            std::string evidence = run.result.evidence;
            for (std::size_t at = 0; (at = evidence.find('\n', at)) != std::string::npos; at += 16) {
                evidence.replace(at, 1, "\n                ");
            }
            std::cout << fmt::format("                {}\n", evidence);
        }
    }
    if (diagnosis.examination) {
        const auto& examination = *diagnosis.examination;
        std::cout << fmt::format("\nExamination ({} ms, of which the helper {} ms)\n  runs as {}\n",
                                 examination.duration.count(), examination.helper_duration.count(),
                                 examination.user.detail);
        for (const auto& line : examination.summary()) {
            std::cout << "  " << line << "\n";
        }
    }
    const auto& host = diagnosis.host;
    std::cout << "\nHost\n";
    if (host.ping_ms) {
        std::cout << fmt::format("  daemon ping {:.1f} ms\n", *host.ping_ms);
    } else {
        std::cout << fmt::format("  daemon: {}\n", host.ping_error);
    }
    for (const auto& disk : host.disks) {
        std::cout << fmt::format("  {:<28} {:5.1f}% used, {:.1f} GB free ({})\n", disk.what, disk.used_percent(),
                                 static_cast<double>(disk.available_bytes) / 1e9, disk.path);
    }
    if (!host.disk_error.empty()) {
        std::cout << "  " << host.disk_error << "\n";
    }
    if (host.memory_total > 0) {
        std::cout << fmt::format("  memory {:.0f}% in use, {:.0f} MB available{}\n",
                                 100.0 * static_cast<double>(host.memory_total - host.memory_available) /
                                     static_cast<double>(host.memory_total),
                                 static_cast<double>(host.memory_available) / 1e6,
                                 host.memory_pressure ? fmt::format(", pressure {:.1f}%", *host.memory_pressure) : "");
    }
    std::cout << "\n";
    if (diagnosis.problems.empty()) {
        std::cout << "Nothing wrong found.\n";
        return;
    }
    std::cout << fmt::format("What is wrong ({})\n", diagnosis.problems.size());
    for (const auto& problem : diagnosis.problems) {
        std::cout << fmt::format(
            "\n  {} (from {}{})\n    {}\n", classify::to_string(problem.finding.type), problem.source,
            problem.finding.source_id().empty() ? "" : ", " + problem.finding.source_id(), problem.finding.text);
        if (problem.finding.evidence.size() > 1) {
            for (std::size_t index = 0; index < problem.finding.evidence.size(); ++index) {
                std::cout << fmt::format("      {} {}\n", index == problem.finding.decided ? ">" : "|",
                                         problem.finding.evidence[index]);
            }
        }
        if (problem.playbook == nullptr) {
            std::cout << (problem.source == "host"
                              ? "    medic would prune what Docker can rebuild (never volumes), then call a person.\n"
                              : "    medic has no playbook for this: it would call a person.\n");
            continue;
        }
        const auto& playbook = *problem.playbook;
        if (playbook.steps.empty()) {
            std::cout << "    medic has no repair for this; it would call a person.\n";
        } else {
            std::cout << fmt::format("    medic would run ({}, at most {} actions):\n", playbook.source,
                                     playbook.attempts);
            int number = 1;
            for (const auto& step : playbook.steps) {
                std::cout << fmt::format("      {}. {}\n", number++, describe_step(step, policy));
            }
        }
        std::cout << fmt::format("    If that fails: {}\n", playbook.advice);
    }
}

} // namespace medic::cli
