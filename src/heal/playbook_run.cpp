// The steps of a playbook: each action journaled, run, verified; then the incident
// resolved or escalated. The scheduling around it is in heal_engine.cpp.

#include "heal/heal_engine.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/time_format.hpp"
#include "heal/action_registry.hpp"
#include "heal/actions/action_support.hpp"
#include "heal/container_state.hpp"

namespace medic::heal {
namespace {

namespace asio = boost::asio;
using incident::IncidentState;

} // namespace

asio::awaitable<void> HealEngine::run_playbook(incident::Incident incident, docker::ContainerDetails container,
                                               const Playbook& playbook, Profile profile, ContainerPolicy policy,
                                               std::optional<Examination> examination)
{
    const std::string name = container.name;
    if (playbook.steps.empty()) {
        escalate(incident, fmt::format("medic has no repair for this. {}", playbook.advice), true);
        co_return;
    }
    m_active.insert(name);
    m_tracker.set_state(incident.id, policy.dry_run ? IncidentState::open : IncidentState::healing, unix_millis_now(),
                        fmt::format("healing with the playbook at {}", playbook.source));
    if (!policy.dry_run) {
        m_limits.playbook_started(name, unix_millis_now());
    }
    const int attempts = std::min(playbook.attempts, policy.max_attempts.value_or(playbook.attempts));
    int runs = 0;
    std::vector<std::string> tried;
    std::string healed_by;
    for (std::size_t index = 0; index < playbook.steps.size() && healed_by.empty() && !m_stopping; ++index) {
        const auto& step = playbook.steps[index];
        const auto& action = *step.action;
        const auto permission = permits(policy, m_options.policy, action.name(), action.safety());
        store::ActionRecord record;
        record.incident_id = incident.id;
        record.container_id = container.id;
        record.container_name = name;
        record.action = std::string(action.name());
        record.safety = std::string(to_string(action.safety()));
        record.step = static_cast<int>(index);
        record.dry_run = policy.dry_run;
        if (permission != Permission::allowed) {
            record.state = store::ActionState::skipped;
            record.attempt = 1;
            record.started_at = record.ended_at = unix_millis_now();
            record.detail = explain(permission, action.name(), action.safety());
            record.id = m_store.insert_action(record);
            tried.push_back(fmt::format("{}: skipped ({})", action.name(), record.detail));
            continue;
        }
        if (policy.dry_run) {
            record.state = store::ActionState::planned;
            record.attempt = 1;
            record.started_at = record.ended_at = unix_millis_now();
            record.before = describe_state(container);
            record.detail = fmt::format("dry run: would run {} ({})", action.name(), action.summary());
            m_store.insert_action(record);
            tried.push_back(std::string(action.name()));
            continue;
        }
        for (int attempt = 1; attempt <= step.tries && runs < attempts && healed_by.empty(); ++attempt) {
            // The first action runs at once (the cause is known); the delay spaces the ones after it.
            if (runs > 0 && !co_await pause(step.delay)) {
                break;
            }
            // Inspected afresh: the previous step may have replaced the container.
            auto current = co_await m_client.inspect_container(name);
            if (current) {
                container = std::move(*current);
            }
            while (!m_limits.try_begin_action(unix_millis_now())) {
                if (!co_await pause(std::chrono::milliseconds(200))) {
                    break;
                }
            }
            if (m_stopping) {
                break;
            }
            record.attempt = attempt;
            record.state = store::ActionState::running;
            record.container_id = container.id;
            record.started_at = unix_millis_now();
            record.before = describe_state(container);
            record.detail.clear();
            record.after.clear();
            record.id = m_store.insert_action(record); // journaled before it starts
            spdlog::info("incident {} on {}: running {} (step {}, attempt {})", incident.id, name, action.name(),
                         index + 1, attempt);
            ActionContext context{m_client,  m_helper, m_store, m_options, incident,
                                  container, profile,  policy,  record.id};
            context.record_before = [&](std::string evidence) {
                record.before += "\n" + evidence;
                m_store.update_action(record);
            };
            context.examination = examination ? &*examination : nullptr;
            auto result = co_await action.run(context);
            m_limits.end_action();
            ++runs;
            container = context.container;
            record.container_id = container.id;
            record.detail = result.detail;
            if (result.outcome != ActionOutcome::done) {
                record.state = result.outcome == ActionOutcome::not_applicable ? store::ActionState::skipped
                                                                               : store::ActionState::failed;
                record.ended_at = unix_millis_now();
                m_store.update_action(record);
                tried.push_back(fmt::format("{}: {}", action.name(), result.detail));
                spdlog::warn("incident {} on {}: {} {}: {}", incident.id, name, action.name(), to_string(record.state),
                             result.detail);
                if (result.outcome == ActionOutcome::not_applicable) {
                    break; // the next step
                }
                continue;
            }
            Verdict verdict{true, "the action's own result"};
            if (playbook.verify == Verification::service) {
                verdict = co_await verify_service(name, profile);
            }
            if (m_stopping && !verdict.healthy) {
                // Cut short, not failed: the row stays running and the next start marks it interrupted.
                m_active.erase(name);
                co_return;
            }
            record.after = verdict.evidence;
            record.state = verdict.healthy ? store::ActionState::succeeded : store::ActionState::failed;
            record.ended_at = unix_millis_now();
            m_store.update_action(record);
            tried.push_back(fmt::format("{}: {}; afterwards {}", action.name(), result.detail,
                                        verdict.healthy ? "healthy" : "still failing: " + verdict.evidence));
            spdlog::info("incident {} on {}: {} {} ({})", incident.id, name, action.name(),
                         verdict.healthy ? "healed it" : "did not heal it", verdict.evidence);
            if (verdict.healthy) {
                healed_by = fmt::format("healed by {}: {}", action.name(), result.detail);
            }
        }
        if (runs >= attempts) {
            break;
        }
    }
    m_active.erase(name);
    if (m_stopping) {
        co_return; // an action cut short is marked interrupted at the next start
    }
    if (policy.dry_run) {
        m_planned.insert(incident.id);
        m_tracker.set_state(incident.id, IncidentState::open, unix_millis_now(),
                            fmt::format("dry run: medic would run {}", fmt::join(tried, " -> ")));
        co_return;
    }
    m_limits.playbook_finished(name, !healed_by.empty(), unix_millis_now());
    if (!healed_by.empty()) {
        const incident::ContainerRef ref{container.id, name};
        m_tracker.set_state(incident.id, IncidentState::resolved, unix_millis_now(), healed_by);
        m_tracker.resolve_container(ref, unix_millis_now(),
                                    fmt::format("resolved with incident {}, which was {}", incident.id, healed_by));
        co_await restart_dependents(name, incident.id);
        co_return;
    }
    // A crash loop is ended rather than left to the restart policy; its incident then keeps collecting.
    const auto stopped = co_await end_crash_loop(incident, container);
    const bool keep_tracking = !stopped.empty();
    escalate(incident,
             fmt::format("medic tried: {}.{} Seen: {}. What to do: {}",
                         tried.empty() ? "nothing" : fmt::format("{}", fmt::join(tried, "; ")), stopped,
                         incident.message, playbook.advice),
             keep_tracking);
}

asio::awaitable<Verdict> HealEngine::verify_service(const std::string& name, Profile profile)
{
    const auto deadline = std::chrono::steady_clock::now() + m_options.verify_timeout;
    const auto& ready = traits_of(profile).ready;
    bool started_by_medic = false;
    std::optional<int> first_restart_count;
    std::string stable_since_start;
    auto stable_since = std::chrono::steady_clock::now();
    std::string evidence = "not inspected";
    while (std::chrono::steady_clock::now() < deadline) {
        auto container = co_await m_client.inspect_container(name);
        if (!container) {
            co_return Verdict{false, container.error().message};
        }
        evidence = describe_state(*container);
        if (!first_restart_count) {
            first_restart_count = container->restart_count;
        } else if (container->restart_count > *first_restart_count) {
            co_return Verdict{false, "exited again and was restarted by its restart policy: " + evidence};
        }
        if (!container->running && !container->restarting) {
            if (started_by_medic) {
                co_return Verdict{false, "exited again after the start: " + evidence};
            }
            started_by_medic = true;
            if (auto started = co_await m_client.start_container(name); !started) {
                co_return Verdict{false, "start refused: " + started.error().message};
            }
            continue;
        }
        if (container->running && !container->restarting) {
            if (container->started_at != stable_since_start) {
                stable_since_start = container->started_at;
                stable_since = std::chrono::steady_clock::now();
            }
            const bool settled = std::chrono::steady_clock::now() - stable_since >= m_options.settle;
            const bool health_ok = !container->health || container->health->status == "healthy";
            if (settled && health_ok && m_probes != nullptr) {
                // medic's own probes must answer too: a process that runs is not yet a service that works.
                const auto probes = co_await m_probes->check_now(*container); // as inspected above
                if (!probes.evidence.empty()) {
                    evidence += "; " + probes.evidence;
                }
                if (!probes.ok) {
                    if (!co_await pause(m_options.poll_interval)) {
                        break;
                    }
                    continue;
                }
            }
            if (settled && health_ok) {
                if (ready.empty()) {
                    co_return Verdict{true, evidence};
                }
                docker::ExecSpec check;
                check.command = ready;
                auto answer = co_await m_client.exec(name, check, std::chrono::seconds(10));
                if (answer && answer->exit_code == 0) {
                    auto said = answer->stdout_text.substr(0, 100);
                    while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) {
                        said.pop_back();
                    }
                    co_return Verdict{true, fmt::format("{}; {} answered: {}", evidence, fmt::join(ready, " "), said)};
                }
                if (answer && answer->exit_code == 127) {
                    co_return Verdict{true, evidence + "; no readiness tool in the image"};
                }
                evidence += "; not ready yet";
            }
        }
        if (!co_await pause(m_options.poll_interval)) {
            break;
        }
    }
    co_return Verdict{false, "not healthy within the verification time: " + evidence};
}

} // namespace medic::heal
