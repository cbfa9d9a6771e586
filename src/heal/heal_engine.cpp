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

ExaminationReason reason_for(const incident::Incident& incident, const docker::ContainerDetails& container,
                             const Playbook* playbook)
{
    if (playbook == nullptr || playbook->steps.empty()) {
        return ExaminationReason::before_escalation;
    }
    if (incident.type == classify::ErrorType::crash_loop) {
        return ExaminationReason::exited_again;
    }
    if (incident.type == classify::ErrorType::health_check_failed) {
        return ExaminationReason::unhealthy;
    }
    return !container.running && !container.error.empty() ? ExaminationReason::cannot_start
                                                          : ExaminationReason::before_healing;
}

} // namespace

struct HealEngine::Timers {
    std::set<asio::steady_timer*> pending;
};

HealEngine::HealEngine(asio::any_io_executor executor, docker::DockerClient& client, store::Store& store,
                       incident::IncidentTracker& tracker, PlaybookCatalog playbooks, HealOptions options)
    : m_executor(std::move(executor)), m_tasks(m_executor, "healing"), m_client(client), m_store(store),
      m_tracker(tracker), m_playbooks(std::move(playbooks)), m_options(std::move(options)), m_limits(m_options.limits),
      m_helper(client, m_options.helper_image), m_examiner(client, m_helper, m_options.self_container_id.empty()),
      m_timers(std::make_unique<Timers>())
{
}

HealEngine::~HealEngine() = default;

void HealEngine::spawn(asio::awaitable<void> task)
{
    m_tasks.spawn(std::move(task));
}

asio::awaitable<bool> HealEngine::pause(std::chrono::milliseconds duration)
{
    if (m_stopping) {
        co_return false;
    }
    asio::steady_timer timer(m_executor, duration);
    m_timers->pending.insert(&timer);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    m_timers->pending.erase(&timer);
    co_return !m_stopping;
}

void HealEngine::stop()
{
    m_stopping = true;
    for (auto* timer : m_timers->pending) {
        timer->cancel();
    }
}

asio::awaitable<void> HealEngine::wait_idle()
{
    co_await m_tasks.drained();
}

void HealEngine::on_incident(const incident::Incident& incident)
{
    if (!m_options.enabled || m_stopping || incident.state != IncidentState::open ||
        m_active.contains(incident.container_name) || m_planned.contains(incident.id)) {
        return;
    }
    if (!m_pending.insert(incident.container_name).second) {
        return; // an evaluation is on its way; it reads the newest state
    }
    spawn(evaluate(incident.id, incident.container_name));
}

void HealEngine::on_container_exited(const incident::ContainerRef& container, int exit_code, bool requested)
{
    if (auto waiting = m_waiting.find(container.name); waiting != m_waiting.end()) {
        if (auto incident = m_tracker.find(waiting->second)) {
            m_waiting.erase(waiting);
            on_incident(*incident);
        }
    }
    if (requested || exit_code == 0 || m_stopping || !m_options.enabled || !m_options.examine) {
        return;
    }
    // A container that exits non-zero more than once is examined, whatever it printed.
    auto& exits = m_failed_exits[container.id];
    const auto now = unix_millis_now();
    exits.push_back(now);
    while (!exits.empty() && now - exits.front() > 10 * 60'000) {
        exits.pop_front();
    }
    // Once in a while: a restart policy makes a crash loop exit every second or so.
    const bool examined_lately = now - m_examiner.last_examined(container.name) < 20'000;
    if (exits.size() >= 2 && !examined_lately && !m_active.contains(container.name) &&
        !m_pending.contains(container.name) && m_examining.insert(container.id).second) {
        spawn(examine_exit(container, exit_code));
    }
}

void HealEngine::on_container_started(const incident::ContainerRef& container)
{
    if (m_stopping || !m_options.examine) {
        return;
    }
    spawn(m_examiner.observe(container.id, [this](std::chrono::milliseconds duration) { return pause(duration); }));
    spawn(examine_joined(container));
}

asio::awaitable<void> HealEngine::examine_joined(incident::ContainerRef owner)
{
    // Containers in the network of one that just started (network_mode container:X) are in its
    // previous namespace, where nothing reaches them: examined, and restarted by their playbook.
    auto listed = co_await m_client.list_containers();
    if (!listed) {
        co_return;
    }
    for (const auto& summary : *listed) {
        if (summary.state != "running" || summary.id == owner.id) {
            continue;
        }
        auto details = co_await m_client.inspect_container(summary.id);
        if (!details || !may_act_on(*details, m_options) ||
            (details->network_mode != "container:" + owner.id && details->network_mode != "container:" + owner.name)) {
            continue;
        }
        incident::Incident joined;
        joined.container_id = details->id;
        joined.container_name = details->name;
        const auto examination = co_await examination_of(*details, joined, ExaminationReason::before_healing);
        for (const auto* problem : examination.problems()) {
            spdlog::info("{} started again; {}: {}", owner.name, details->name, problem->evidence);
            auto incident = m_tracker.on_finding({details->id, details->name}, *problem->finding,
                                                 classify::Channel::examination, unix_millis_now(), unix_millis_now());
            on_incident(incident);
        }
    }
}

asio::awaitable<void> HealEngine::examine_exit(incident::ContainerRef container, int exit_code)
{
    auto details = co_await m_client.inspect_container(container.id);
    if (details) {
        m_examiner.ran(details->id,
                       {engine_time_millis(details->started_at), engine_time_millis(details->finished_at)});
    }
    if (!details || !may_act_on(*details, m_options) || m_active.contains(details->name)) {
        m_examining.erase(container.id);
        co_return;
    }
    incident::Incident exited;
    exited.container_id = details->id;
    exited.container_name = details->name;
    const auto examination = co_await examination_of(*details, exited, ExaminationReason::exited_again);
    m_examining.erase(container.id);
    for (const auto* problem : examination.problems()) {
        spdlog::info("{} exited with code {} again; the examination found: {}", details->name, exit_code,
                     problem->evidence);
        auto incident = m_tracker.on_finding({details->id, details->name}, *problem->finding,
                                             classify::Channel::examination, unix_millis_now(), unix_millis_now());
        on_incident(incident);
    }
}

asio::awaitable<Examination> HealEngine::examination_of(const docker::ContainerDetails& container,
                                                        const incident::Incident& incident, ExaminationReason reason)
{
    if (const auto* recent = m_examiner.recent(container, std::chrono::seconds(30))) {
        co_return *recent;
    }
    ExaminationRequest request;
    request.reason = reason;
    // The paths this incident names, and those of the container's other open incidents: a
    // crash loop's examination knows what the log said the service writes.
    auto incidents = m_tracker.open_incidents();
    incidents.push_back(incident);
    for (const auto& open : incidents) {
        if (open.container_id != container.id && open.id != incident.id) {
            continue;
        }
        for (const char* key : {"path", "file"}) {
            if (auto value = open.context.find(key);
                value != open.context.end() &&
                std::find(request.paths.begin(), request.paths.end(), value->second) == request.paths.end()) {
                request.paths.push_back(value->second);
            }
        }
    }
    auto examination = co_await m_examiner.examine(container, request);
    keep(examination);
    co_return examination;
}

void HealEngine::keep(const Examination& examination)
{
    spdlog::info("examined {} ({}): {} checks, {} failed, {} ms (helper {} ms)", examination.container_name,
                 to_string(examination.reason), examination.checks.size(), examination.failed_count(),
                 examination.duration.count(), examination.helper_duration.count());
    for (const auto* problem : examination.problems()) {
        spdlog::warn("examination of {}: {}", examination.container_name, problem->evidence);
    }
    m_store.insert_examination({0, examination.container_id, examination.container_name, examination.examined_at,
                                examination.failed_count(), to_json(examination)});
}

asio::awaitable<Result<Examination>> HealEngine::examine_now(const std::string& name, ExaminationReason reason)
{
    auto container = co_await m_client.inspect_container(name);
    if (!container) {
        co_return tl::unexpected(container.error());
    }
    ExaminationRequest request;
    request.reason = reason;
    auto examination = co_await m_examiner.examine(*container, request);
    keep(examination);
    co_return examination;
}

bool HealEngine::apply(const incident::Incident& incident, const ExaminationDecision& decision)
{
    const incident::ContainerRef container{incident.container_id, incident.container_name};
    const auto now = unix_millis_now();
    std::vector<incident::Incident> recorded;
    for (const auto& finding : decision.findings) {
        recorded.push_back(m_tracker.on_finding(container, finding, classify::Channel::examination, now, now));
    }
    switch (decision.next) {
    case AfterExamination::proceed: return false;
    case AfterExamination::compromise:
        for (const auto& found : recorded) {
            escalate(found, decision.note, true);
        }
        if (recorded.empty() || recorded.front().id != incident.id) {
            escalate(incident,
                     fmt::format("not repaired: {} (incident {})", decision.note,
                                 recorded.empty() ? 0 : recorded.front().id),
                     true);
        }
        return true;
    case AfterExamination::escalate: escalate(incident, decision.note, true); return true;
    case AfterExamination::heal_cause: break;
    }
    if (!recorded.empty() && recorded.front().id == incident.id) {
        return false; // the cause is this incident's own type: its playbook heals it
    }
    const auto& cause = recorded.front();
    const auto note = fmt::format("the examination found the cause: {} (incident {}, {})", cause.message, cause.id,
                                  classify::to_string(cause.type));
    spdlog::info("incident {} on {}: {}", incident.id, incident.container_name, note);
    m_tracker.set_state(incident.id, IncidentState::resolved, now, "superseded: " + note);
    for (const auto& found : recorded) {
        on_incident(found);
    }
    return true;
}

void HealEngine::recover_interrupted()
{
    for (const auto& action : m_store.interrupt_running_actions(unix_millis_now())) {
        spdlog::warn("action {} ({} on {}) was interrupted by a stop of medic; evaluating incident {} again", action.id,
                     action.action, action.container_name, action.incident_id);
        auto incident = m_store.incident_by_id(action.incident_id);
        if (!incident || !incident->is_open()) {
            continue;
        }
        incident->state = IncidentState::open;
        incident->note =
            fmt::format("action {} ({}) was interrupted when medic stopped; evaluated again", action.id, action.action);
        m_store.update_incident(*incident);
        m_tracker.adopt(*incident);
        on_incident(*incident);
    }
}

void HealEngine::escalate(const incident::Incident& incident, const std::string& note, bool keep_tracking)
{
    spdlog::error("incident {} ({} on {}) escalated: {}", incident.id, classify::to_string(incident.type),
                  incident.container_name, note);
    m_tracker.set_state(incident.id, IncidentState::escalated, unix_millis_now(), note, keep_tracking);
}

asio::awaitable<void> HealEngine::evaluate(std::int64_t incident_id, std::string name)
{
    // Let the container's state settle: a service logs its fatal error just before it exits.
    const bool settled = co_await pause(std::chrono::milliseconds(500));
    m_pending.erase(name);
    if (!settled || m_active.contains(name)) {
        co_return;
    }
    auto incident = m_tracker.find(incident_id);
    if (!incident || incident->state != IncidentState::open) {
        co_return;
    }
    if (incident->container_id == incident::k_host) {
        co_await heal_host(*incident);
        co_return;
    }
    auto container = co_await m_client.inspect_container(incident->container_id);
    if (!container && container.error().is_status(404)) {
        container = co_await m_client.inspect_container(name); // recreated meanwhile
    }
    if (!container) {
        co_return;
    }
    if (is_medic_container(*container, m_options)) {
        co_return;
    }
    if (left_stopped(*incident, *container)) {
        co_return;
    }
    const auto profile = detect_profile(*container);
    const auto policy = policy_from_labels(container->labels, m_options.policy);
    const auto* playbook = m_playbooks.find(incident->type, profile, incident->rule);
    if (incident->type == classify::ErrorType::suspected_compromise) {
        escalate(*incident,
                 fmt::format("medic repairs nothing here. Seen: {}. What to do: {}", incident->message,
                             playbook != nullptr ? playbook->advice : std::string()),
                 true);
        co_return;
    }
    if (auto compromise = m_tracker.tracked(container->id, classify::ErrorType::suspected_compromise)) {
        escalate(*incident,
                 fmt::format("not repaired: incident {} suspects a compromise of this container; a person "
                             "resolves that first",
                             compromise->id),
                 true);
        co_return;
    }
    std::optional<Examination> examination;
    if (m_options.examine && (playbook == nullptr || playbook->steps.empty())) {
        // Before giving up: what a person would check. A cause the facts show is healed instead.
        examination = co_await examination_of(*container, *incident, ExaminationReason::before_escalation);
        const auto decision = decide_after_examination(*incident, playbook, *examination, m_playbooks, profile);
        if (apply(*incident, decision)) {
            co_return;
        }
        escalate(*incident,
                 fmt::format("medic has no repair for this. Seen: {}. {}. What to do: {}", incident->message,
                             describe_examination(*examination),
                             playbook != nullptr ? playbook->advice : "it needs a person"),
                 true);
        co_return;
    }
    if (playbook == nullptr) {
        escalate(*incident, "medic has no playbook for this error: it needs a person", true);
        co_return;
    }
    if (!in_trouble(*container) && playbook->when_running == WhenRunning::wait) {
        m_waiting[name] = incident->id; // acted on if it stops
        co_return;
    }
    if (!policy.dry_run) {
        if (co_await heal_dependencies(*incident, *container)) {
            // What it depends on is back: maybe that was all it needed.
            container = co_await m_client.inspect_container(name);
            if (container && !is_unhealthy(*container)) {
                const auto verdict = co_await verify_service(name, profile);
                if (verdict.healthy) {
                    const auto note =
                        fmt::format("healed by healing what it depends on first; then {}", verdict.evidence);
                    m_tracker.set_state(incident->id, IncidentState::resolved, unix_millis_now(), note);
                    m_tracker.resolve_container({container->id, name}, unix_millis_now(), note);
                    co_return;
                }
            }
            container = co_await m_client.inspect_container(name);
        }
        // Read afresh: while the dependencies were healed the incident may have been resolved.
        incident = m_tracker.find(incident_id);
        if (!incident || incident->state != IncidentState::open || !container) {
            co_return;
        }
    }
    if (m_limits.circuit_open(name, unix_millis_now())) {
        std::string stopped;
        if (!policy.dry_run) {
            stopped = co_await end_crash_loop(*incident, *container);
        }
        escalate(*incident,
                 fmt::format("circuit breaker open: {} playbooks failed on {} within {} min; medic stops healing it "
                             "until the window has passed.{} {}",
                             m_limits.options().breaker_failures, name, m_limits.options().breaker_window / 60'000,
                             stopped, playbook->advice),
                 true);
        co_return;
    }
    const auto start_at = m_limits.next_playbook_at(name, unix_millis_now());
    if (start_at > unix_millis_now()) {
        const auto delay = start_at - unix_millis_now();
        spdlog::info("incident {} on {}: backoff, next playbook in {} s", incident->id, name, (delay + 999) / 1000);
        m_active.insert(name); // nothing else starts meanwhile
        const bool waited = co_await pause(std::chrono::milliseconds(delay));
        m_active.erase(name);
        if (!waited) {
            co_return;
        }
        incident = m_tracker.find(incident_id);
        container = co_await m_client.inspect_container(name);
        if (!incident || incident->state != IncidentState::open || !container || left_stopped(*incident, *container)) {
            co_return;
        }
        if (!in_trouble(*container) && playbook->when_running == WhenRunning::wait) {
            co_return;
        }
    }
    if (m_options.examine && !policy.dry_run && wants_examination(*incident, playbook)) {
        m_active.insert(name); // nothing else starts while medic looks
        examination = co_await examination_of(*container, *incident, reason_for(*incident, *container, playbook));
        m_active.erase(name);
        const auto decision = decide_after_examination(*incident, playbook, *examination, m_playbooks, profile);
        if (m_stopping || apply(*incident, decision)) {
            co_return;
        }
        incident = m_tracker.find(incident_id); // the facts joined it as evidence
        if (!incident || incident->state != IncidentState::open) {
            co_return;
        }
    }
    co_await run_playbook(*incident, *container, *playbook, profile, policy, std::move(examination));
}

asio::awaitable<std::string> HealEngine::end_crash_loop(const incident::Incident& incident,
                                                        const docker::ContainerDetails& container)
{
    if (incident.type != classify::ErrorType::crash_loop || !has_restart_policy(container)) {
        co_return std::string();
    }
    // Docker restarts it forever, and every restart feeds the loop: a stopped container
    // is left alone by its policy.
    const auto* stop = find_action("stop_container");
    auto result = co_await run_journaled(incident, container, *stop,
                                         "a crash loop under a restart policy outlived "
                                         "what medic could try");
    if (result.outcome == ActionOutcome::done) {
        // Other incidents of this loop, opened while the playbook ran, must not start it again.
        m_gave_up[container.name] = {incident.id, unix_millis_now()};
    }
    co_return " " + result.detail + ".";
}

bool HealEngine::left_stopped(const incident::Incident& incident, const docker::ContainerDetails& container)
{
    const auto gave_up = m_gave_up.find(container.name);
    if (gave_up == m_gave_up.end()) {
        return false;
    }
    if (!down_since(container, gave_up->second.stopped_at)) {
        m_gave_up.erase(gave_up); // it ran since: started by a person, so healed like any other
        return false;
    }
    escalate(incident,
             fmt::format("not repaired: medic stopped {} when it gave up on it (incident {}), and it has not run "
                         "since. Start it (docker start {}) once the cause is fixed",
                         container.name, gave_up->second.incident_id, container.name),
             true);
    return true;
}

asio::awaitable<void> HealEngine::heal_host(const incident::Incident& incident)
{
    // Nothing to restart: for a disk, prune what Docker can rebuild (never volumes), once;
    // the rest is for a person. The host check resolves the incident when it is below the threshold.
    const auto resource = incident.context.contains("resource") ? incident.context.at("resource") : "";
    std::string done;
    if (resource == "disk" && !m_options.policy.dry_run) {
        const auto* cleanup = find_action("cleanup_disk_space");
        docker::ContainerDetails host;
        host.id = host.name = std::string(incident::k_host);
        auto result = co_await run_journaled(incident, host, *cleanup, incident.message);
        done = fmt::format("medic ran cleanup_disk_space: {}. ", result.detail);
    }
    const auto advice =
        resource == "disk"
            ? "docker system df shows what Docker holds; medic never removes volumes, so old volumes, logs and "
              "backups are for a person to clear."
            : "Find what uses the memory (docker stats); raise the host's memory or lower containers' limits.";
    escalate(incident, fmt::format("{}Seen: {}. What to do: {}", done, incident.message, advice), true);
}

bool HealEngine::in_trouble(const docker::ContainerDetails& container) const
{
    return is_unhealthy(container) || (m_probes != nullptr && m_probes->failing(container.name));
}

asio::awaitable<std::optional<docker::ContainerDetails>>
HealEngine::find_dependency(const docker::ContainerDetails& container, const std::string& host)
{
    auto details = co_await m_client.inspect_container(host);
    if (details) {
        co_return std::move(*details);
    }
    // A compose service name: the container of that service in the same project.
    auto project = container.labels.find("com.docker.compose.project");
    if (project == container.labels.end()) {
        co_return std::nullopt;
    }
    auto listed = co_await m_client.list_containers();
    if (!listed) {
        co_return std::nullopt;
    }
    for (const auto& summary : *listed) {
        auto service = summary.labels.find("com.docker.compose.service");
        auto their_project = summary.labels.find("com.docker.compose.project");
        if (service != summary.labels.end() && service->second == host && their_project != summary.labels.end() &&
            their_project->second == project->second) {
            auto found = co_await m_client.inspect_container(summary.id);
            if (found) {
                co_return std::move(*found);
            }
        }
    }
    co_return std::nullopt;
}

asio::awaitable<bool> HealEngine::heal_dependencies(const incident::Incident& incident,
                                                    const docker::ContainerDetails& container)
{
    bool healed_one = false;
    for (const auto& host : dependencies_of(container)) {
        auto dependency = co_await find_dependency(container, host);
        if (!dependency || !may_act_on(*dependency, m_options) || !in_trouble(*dependency) ||
            m_active.contains(dependency->name)) {
            continue;
        }
        const auto* restart = find_action("restart_container");
        const auto reason =
            fmt::format("{} depends on {}, which is down: healed first", container.name, dependency->name);
        spdlog::info("incident {} on {}: {}", incident.id, container.name, reason);
        m_active.insert(dependency->name);
        auto result = co_await run_journaled(incident, *dependency, *restart, reason);
        Verdict verdict;
        if (result.outcome == ActionOutcome::done) {
            verdict = co_await verify_service(dependency->name, detect_profile(*dependency));
        }
        m_active.erase(dependency->name);
        spdlog::info("incident {}: dependency {} {}", incident.id, dependency->name,
                     verdict.healthy ? "is healthy again" : "is still down: " + verdict.evidence);
        if (verdict.healthy) {
            healed_one = true;
            m_tracker.resolve_container({dependency->id, dependency->name}, unix_millis_now(),
                                        fmt::format("started by medic for {}, which depends on it", container.name));
        }
    }
    co_return healed_one;
}

asio::awaitable<void> HealEngine::restart_dependents(const std::string& recovered, std::int64_t incident_id)
{
    docker::ListContainersOptions options;
    options.filters["label"] = {"medic.depends-on"};
    auto listed = co_await m_client.list_containers(options);
    if (!listed) {
        co_return;
    }
    // Breadth first: the direct dependents, then theirs, each name once.
    std::vector<std::string> order;
    std::vector<std::string> frontier{recovered};
    std::set<std::string> seen{recovered};
    while (!frontier.empty()) {
        std::vector<std::string> next;
        for (const auto& dependency : frontier) {
            std::vector<std::string> level;
            for (const auto& summary : *listed) {
                const auto dependencies = split_list(summary.labels.at("medic.depends-on"));
                if (std::find(dependencies.begin(), dependencies.end(), dependency) != dependencies.end() &&
                    seen.insert(summary.name()).second) {
                    level.push_back(summary.name());
                }
            }
            std::sort(level.begin(), level.end());
            order.insert(order.end(), level.begin(), level.end());
            next.insert(next.end(), level.begin(), level.end());
        }
        frontier = std::move(next);
    }
    const auto* restart = find_action("restart_container");
    incident::Incident incident;
    incident.id = incident_id;
    for (const auto& dependent : order) {
        auto details = co_await m_client.inspect_container(dependent);
        if (!details || !may_act_on(*details, m_options)) {
            continue;
        }
        const auto reason = fmt::format("{} depends on {}, which recovered", dependent, recovered);
        auto result = co_await run_journaled(incident, *details, *restart, reason);
        if (result.outcome == ActionOutcome::done) {
            auto verdict = co_await verify_service(dependent, detect_profile(*details));
            spdlog::info("restarted {} after its dependency {} recovered: {}", dependent, recovered,
                         verdict.healthy ? "healthy" : verdict.evidence);
        }
    }
}

asio::awaitable<ActionResult> HealEngine::run_journaled(const incident::Incident& incident,
                                                        docker::ContainerDetails container, const Action& action,
                                                        std::string reason)
{
    store::ActionRecord record;
    record.incident_id = incident.id;
    record.container_id = container.id;
    record.container_name = container.name;
    record.action = std::string(action.name());
    record.safety = std::string(to_string(action.safety()));
    record.attempt = 1;
    record.started_at = unix_millis_now();
    record.before = reason + "; " + describe_state(container);
    record.id = m_store.insert_action(record);
    ActionContext context{m_client, m_helper, m_store, m_options, incident, container, detect_profile(container)};
    context.action_id = record.id;
    context.record_before = [&](std::string evidence) {
        record.before += "\n" + evidence;
        m_store.update_action(record);
    };
    auto result = co_await action.run(context);
    record.container_id = context.container.id;
    record.detail = result.detail;
    record.state = result.outcome == ActionOutcome::done             ? store::ActionState::succeeded
                   : result.outcome == ActionOutcome::not_applicable ? store::ActionState::skipped
                                                                     : store::ActionState::failed;
    record.ended_at = unix_millis_now();
    if (auto after = co_await m_client.inspect_container(context.container.id)) {
        record.after = describe_state(*after);
    }
    m_store.update_action(record);
    co_return result;
}

asio::awaitable<RequestedRun> HealEngine::run_requested(const std::string& container, const Action& action)
{
    RequestedRun run;
    auto details = co_await m_client.inspect_container(container);
    if (!details) {
        run.result = failed(details.error().message);
        co_return run;
    }
    const incident::Incident none; // a person asked: no incident
    run.result = co_await run_journaled(none, *details, action, "asked by a person (medic heal)");
    if (run.result.outcome == ActionOutcome::done) {
        run.verdict = co_await verify_service(details->name, detect_profile(*details)); // by name: a recreate keeps it
    }
    co_return run;
}

} // namespace medic::heal
