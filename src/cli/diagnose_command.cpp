#include "cli/diagnose_command.hpp"

#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "classify/block_reader.hpp"
#include "classify/classifier.hpp"
#include "cli/daemon_connection.hpp"
#include "cli/diagnosis.hpp"
#include "docker/log_stream.hpp"
#include "heal/container_state.hpp"
#include "heal/examiner.hpp"
#include "heal/heal_policy.hpp"
#include "heal/playbook.hpp"
#include "probe/host_check.hpp"
#include "probe/probe_finding.hpp"
#include "probe/probe_plan.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

asio::awaitable<int> diagnose(const DiagnoseOptions& options, Diagnosis& out, std::string& error)
{
    auto client = co_await connect_to_daemon(options.docker_host);
    if (!client) {
        error = explain_connection_failure(client.error());
        co_return 2;
    }
    auto details = co_await (*client)->inspect_container(options.container);
    if (!details) {
        error = details.error().is_status(404) ? fmt::format("no container called '{}'", options.container)
                                               : details.error().message;
        co_return 2;
    }
    auto playbooks = heal::PlaybookCatalog::load_embedded();
    if (!playbooks) {
        error = playbooks.error().message;
        co_return 2;
    }
    auto created = classify::Classifier::create_embedded();
    if (!created) {
        error = created.error().message;
        co_return 2;
    }
    out.classifier = std::make_unique<classify::Classifier>(std::move(*created));
    auto& classifier = out.classifier;
    out.container = std::move(*details);
    out.playbooks = std::move(*playbooks);
    const auto& container = out.container;
    const auto plan =
        probe::plan_probes(container, probe::PlanOptions{std::chrono::seconds(options.timeout_seconds), true});
    out.profile = plan.profile;
    out.plan_problems = plan.problems;
    auto add = [&](std::string source, classify::Finding finding) {
        out.problems.push_back({std::move(source), std::move(finding), nullptr});
    };

    // Its state, as the watcher reads it (the OOM killer is a fact the examination states).
    if (!container.running && !container.error.empty()) {
        if (auto finding = classifier->classify(container.error, classify::Channel::inspect)) {
            add("state", *finding);
        }
    }
    if (container.exit_code != 0 || !container.running) {
        // The last lines read as a whole, as medic reads a crash: the cause first.
        classify::BlockReader reader(*classifier);
        std::vector<classify::BlockFinding> blocks;
        for (const auto& line : co_await (*client)->last_lines(container.id, 50)) {
            for (auto& block : reader.push(line, 0)) {
                blocks.push_back(std::move(block));
            }
        }
        for (auto& block : reader.flush()) {
            blocks.push_back(std::move(block));
        }
        if (auto cause = classify::decide_run(blocks)) {
            add("log", cause->finding);
        }
        for (const auto& block : blocks) {
            if (block.finding.role == classify::RuleRole::cause &&
                block.finding.severity >= classify::Severity::error) {
                add("log", block.finding);
            }
        }
    }
    // What a person would check: the user, the mounts, the ports, the namespace, the command, the exit.
    {
        heal::VolumeHelper helper(**client, options.helper_image);
        heal::Examiner examiner(**client, helper, true);
        heal::ExaminationRequest request;
        request.reason = heal::ExaminationReason::asked;
        for (const auto& problem : out.problems) {
            for (const char* key : {"path", "file"}) {
                if (auto value = problem.finding.context.find(key); value != problem.finding.context.end()) {
                    request.paths.push_back(value->second);
                }
            }
        }
        out.examination = co_await examiner.examine(container, request);
        for (const auto* check : out.examination->problems()) {
            add("examination", *check->finding);
        }
    }
    // Every probe, now.
    if (container.running) {
        const auto executor = co_await asio::this_coro::executor;
        for (const auto& spec : plan.probes) {
            auto result = co_await probe::run_probe(executor, **client, container, spec);
            if (result.status == probe::ProbeStatus::failing) {
                add("probe " + spec.kind, probe::finding_for(*classifier, spec, result));
            }
            out.probes.push_back({spec, std::move(result)});
        }
    }
    out.host = co_await probe::check_host(**client, probe::HostThresholds{});
    for (const auto& finding : out.host.findings) {
        add("host", finding);
    }
    // One problem per type: the first of each says enough; its playbook is what medic would run.
    std::vector<Problem> distinct;
    for (auto& problem : out.problems) {
        const bool seen = std::any_of(distinct.begin(), distinct.end(),
                                      [&](const Problem& other) { return other.finding.type == problem.finding.type; });
        if (!seen) {
            const auto rule = problem.finding.source_id();
            problem.playbook =
                problem.source == "host" ? nullptr : out.playbooks->find(problem.finding.type, out.profile, rule);
            distinct.push_back(std::move(problem));
        }
    }
    out.problems = std::move(distinct);
    co_return out.problems.empty() ? 0 : 1;
}

} // namespace

int run_diagnose(const DiagnoseOptions& options)
{
    asio::io_context io;
    Diagnosis diagnosis;
    std::string error;
    const int code = run_blocking(io, diagnose(options, diagnosis, error));
    if (code == 2) {
        std::cerr << "medic diagnose: " << error << "\n";
        return 2;
    }
    if (options.json) {
        std::cout << diagnosis_json(diagnosis) << "\n";
    } else {
        print_diagnosis(diagnosis);
    }
    return code;
}

} // namespace medic::cli
