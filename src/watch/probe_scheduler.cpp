#include "watch/probe_scheduler.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "common/time_format.hpp"
#include "probe/probe_finding.hpp"

namespace medic::watch {
namespace {

namespace asio = boost::asio;
using probe::ProbeStatus;

} // namespace

struct ProbeScheduler::ProbeState {
    explicit ProbeState(asio::any_io_executor executor, probe::ProbeSpec probe_spec)
        : spec(std::move(probe_spec)), timer(std::move(executor))
    {
    }
    probe::ProbeSpec spec;
    asio::steady_timer timer;
    int failures = 0;      ///< in a row, after the start period
    bool reported = false; ///< the failures reached the threshold and a finding was made
    incident::TimeMs reported_at = 0;
    ProbeStatus last = ProbeStatus::ok;
    bool said_starting = false; ///< said "starting" since its start and not yet "ok"
    bool cancelled = false;
};

struct ProbeScheduler::Watched {
    docker::ContainerDetails details;
    probe::ProbePlan plan;
    incident::TimeMs started_ms = 0;
    int threshold = 3; ///< the option, or the label medic.probe.threshold
    std::vector<std::shared_ptr<ProbeState>> probes;
};

struct ProbeScheduler::Wakeup {
    explicit Wakeup(asio::any_io_executor executor) : timer(executor), host_timer(std::move(executor)) {}
    asio::steady_timer timer;
    asio::steady_timer host_timer;
};

ProbeScheduler::ProbeScheduler(asio::any_io_executor executor, docker::DockerClient& client,
                               classify::Classifier& classifier, incident::IncidentTracker& tracker,
                               ProbeOptions options)
    : m_executor(std::move(executor)), m_tasks(m_executor, "probe"), m_client(client), m_classifier(classifier),
      m_tracker(tracker), m_options(std::move(options)), m_wakeup(std::make_unique<Wakeup>(m_executor))
{
}

ProbeScheduler::~ProbeScheduler() = default;

void ProbeScheduler::spawn(asio::awaitable<void> task)
{
    m_tasks.spawn(std::move(task));
}

std::size_t ProbeScheduler::probe_count() const
{
    std::size_t count = 0;
    for (const auto& [id, watched] : m_watched) {
        count += watched->probes.size();
    }
    return count;
}

std::chrono::milliseconds ProbeScheduler::jittered(std::chrono::milliseconds interval, double low, double high)
{
    std::uniform_real_distribution<double> factor(low, high);
    return std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(interval.count()) * factor(m_random)));
}

bool ProbeScheduler::accept(const std::string& id, const docker::Labels& labels) const
{
    if (!m_options.self_container_id.empty() && id.starts_with(m_options.self_container_id)) {
        return false;
    }
    if (auto helper = labels.find("medic.helper"); helper != labels.end() && helper->second == "true") {
        return false;
    }
    return is_watched(labels, m_options.mode, m_options.only);
}

asio::awaitable<void> ProbeScheduler::run()
{
    if (m_options.host) {
        spawn(host_loop());
    }
    if (!m_options.enabled) {
        spdlog::info("probes are off (config probes: false)");
    }
    while (!m_stopping && m_options.enabled) {
        co_await refresh();
        if (m_stopping) {
            break; // stop() came during the refresh: its cancel found no wait to end
        }
        m_wakeup->timer.expires_after(m_options.refresh);
        co_await m_wakeup->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (!m_options.enabled && !m_stopping) {
        m_wakeup->timer.expires_at(asio::steady_timer::time_point::max());
        co_await m_wakeup->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    while (!m_watched.empty()) {
        remove(m_watched.begin()->first);
    }
    co_await m_tasks.drained();
}

void ProbeScheduler::stop()
{
    m_stopping = true;
    m_wakeup->timer.cancel();
    m_wakeup->host_timer.cancel();
    for (auto& [id, watched] : m_watched) {
        for (auto& state : watched->probes) {
            state->cancelled = true;
            state->timer.cancel();
        }
    }
}

void ProbeScheduler::container_started(const incident::ContainerRef& container)
{
    if (!m_options.enabled || m_stopping) {
        return;
    }
    remove(container.id); // planned afresh: labels and ports may differ, the start period begins
    spawn(add(container.id));
}

void ProbeScheduler::container_stopped(const incident::ContainerRef& container)
{
    remove(container.id);
    log_counts();
}

void ProbeScheduler::remove(const std::string& id)
{
    auto found = m_watched.find(id);
    if (found == m_watched.end()) {
        return;
    }
    for (auto& state : found->second->probes) {
        state->cancelled = true;
        state->timer.cancel();
    }
    m_watched.erase(found);
}

asio::awaitable<void> ProbeScheduler::refresh()
{
    docker::ListContainersOptions options;
    options.all = false; // running ones
    auto containers = co_await m_client.list_containers(options);
    if (!containers) {
        spdlog::warn("probes: cannot list the containers: {}", containers.error().message);
        co_return;
    }
    std::set<std::string> running;
    for (const auto& summary : *containers) {
        if (m_stopping) {
            co_return;
        }
        if (summary.state != "running" || !accept(summary.id, summary.labels)) {
            continue;
        }
        running.insert(summary.id);
        if (!m_watched.contains(summary.id)) {
            co_await add(summary.id);
        }
    }
    std::vector<std::string> gone;
    for (const auto& [id, watched] : m_watched) {
        if (!running.contains(id)) {
            gone.push_back(id);
        }
    }
    for (const auto& id : gone) {
        remove(id);
    }
    log_counts();
}

asio::awaitable<void> ProbeScheduler::host_loop()
{
    const incident::ContainerRef host{std::string(incident::k_host), std::string(incident::k_host)};
    while (!m_stopping) {
        const auto report = co_await probe::check_host(m_client, m_options.host_thresholds);
        if (m_stopping) {
            break;
        }
        if (report.ping_ms && *report.ping_ms > 1000.0) {
            spdlog::warn("host: the Docker daemon took {:.0f} ms to answer a ping", *report.ping_ms);
        }
        for (const auto& finding : report.findings) {
            const auto now = unix_millis_now();
            auto incident = m_tracker.on_finding(host, finding, classify::Channel::probe, now, now);
            if (incident.count == 1) {
                spdlog::warn("host: {}", finding.text);
            }
            if (m_on_incident) {
                m_on_incident(incident);
            }
        }
        if (report.findings.empty() && report.ping_ms && m_host_reported) {
            for (const auto& resolved : m_tracker.on_healthy(host, unix_millis_now())) {
                spdlog::info("incident {} (host) resolved: below the thresholds again", resolved.id);
            }
        }
        m_host_reported = !report.findings.empty();
        if (m_stopping) {
            break;
        }
        m_wakeup->host_timer.expires_after(m_options.host_interval);
        co_await m_wakeup->host_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> ProbeScheduler::add(std::string id)
{
    auto details = co_await m_client.inspect_container(id);
    if (!details || !details->running || m_stopping || m_watched.contains(id) || !accept(id, details->labels)) {
        co_return;
    }
    auto watched = std::make_shared<Watched>();
    watched->plan = probe::plan_probes(*details, probe::PlanOptions{m_options.timeout, false});
    for (const auto& problem : watched->plan.problems) {
        spdlog::warn("container {}: {}", details->name, problem);
    }
    const auto started = parse_rfc3339(details->started_at);
    watched->started_ms = started ? unix_nanos(*started) / 1'000'000 : unix_millis_now();
    watched->threshold = m_options.threshold;
    if (auto label = details->labels.find("medic.probe.threshold"); label != details->labels.end()) {
        if (auto value = std::atoi(label->second.c_str()); value > 0) {
            watched->threshold = value;
        }
    }
    watched->details = std::move(*details);
    for (const auto& spec : watched->plan.probes) {
        watched->probes.push_back(std::make_shared<ProbeState>(m_executor, spec));
    }
    m_watched[id] = watched;
    for (const auto& state : watched->probes) {
        spawn(probe_loop(watched, state));
    }
    log_counts();
}

void ProbeScheduler::log_counts()
{
    const auto probes = probe_count();
    if (m_watched.size() == m_logged_containers && probes == m_logged_probes) {
        return;
    }
    m_logged_containers = m_watched.size();
    m_logged_probes = probes;
    spdlog::info("probes scheduled: {} containers, {} probes", m_logged_containers, m_logged_probes);
}

asio::awaitable<void> ProbeScheduler::probe_loop(std::shared_ptr<Watched> watched, std::shared_ptr<ProbeState> state)
{
    // The first run falls anywhere within the interval: containers found together are
    // not probed together.
    auto delay = jittered(state->spec.interval, 0.0, 1.0);
    while (!state->cancelled && !m_stopping) {
        state->timer.expires_after(delay);
        co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (state->cancelled || m_stopping) {
            break;
        }
        auto result = co_await probe::run_probe(m_executor, m_client, watched->details, state->spec);
        if (state->cancelled || m_stopping) {
            break;
        }
        handle(*watched, *state, result);
        delay = jittered(state->spec.interval, 0.9, 1.1);
    }
}

void ProbeScheduler::handle(Watched& watched, ProbeState& state, const probe::ProbeResult& result)
{
    const auto& name = watched.details.name;
    const auto now = unix_millis_now();
    const auto previous = state.last;
    state.last = result.status;
    if (result.status == ProbeStatus::starting) {
        state.said_starting = true;
    } else if (result.status == ProbeStatus::ok) {
        state.said_starting = false;
    }
    if (result.status != ProbeStatus::failing) {
        if (previous != result.status) {
            spdlog::info("probe {} on {}: {}: {}", state.spec.kind, name, to_string(result.status), result.summary);
        }
        state.failures = 0;
        if (result.status == ProbeStatus::ok && state.reported) {
            state.reported = false;
            const bool others_failing = std::any_of(watched.probes.begin(), watched.probes.end(),
                                                    [](const auto& other) { return other->reported; });
            if (!others_failing) {
                for (const auto& resolved : m_tracker.on_healthy({watched.details.id, name}, now)) {
                    spdlog::info("incident {} ({} on {}) resolved: probe {} answers again", resolved.id,
                                 classify::to_string(resolved.type), name, state.spec.kind);
                }
            }
        }
        return;
    }
    // A service that said it is starting (Redis loading a large AOF) may not answer at all
    // while it works; that is not a failure until it has had a long while.
    constexpr incident::TimeMs k_longest_start = 15LL * 60 * 1000;
    if (result.status == ProbeStatus::failing && state.said_starting && now - watched.started_ms < k_longest_start) {
        spdlog::debug("probe {} on {}: no answer while it starts: {}", state.spec.kind, name, result.summary);
        return;
    }
    if (now - watched.started_ms < m_options.start_period.count()) {
        spdlog::debug("probe {} on {}: failing within the start period: {}", state.spec.kind, name, result.summary);
        return;
    }
    ++state.failures;
    if (state.failures < watched.threshold) {
        spdlog::info("probe {} on {}: failing ({}/{}): {}", state.spec.kind, name, state.failures, watched.threshold,
                     result.summary);
        return;
    }
    // At the threshold, and again every tracker window while it keeps failing.
    constexpr incident::TimeMs k_report_again = 10LL * 60 * 1000;
    if (!state.reported || now - state.reported_at >= k_report_again) {
        report(watched, state, result);
    }
}

void ProbeScheduler::report(Watched& watched, ProbeState& state, const probe::ProbeResult& result)
{
    const incident::ContainerRef container{watched.details.id, watched.details.name};
    const auto finding = probe::finding_for(m_classifier, state.spec, result);
    const auto now = unix_millis_now();
    state.reported = true;
    state.reported_at = now;
    spdlog::warn("probe {} on {}: failed {} times in a row: {}", state.spec.kind, container.name, state.failures,
                 result.summary);
    auto incident = m_tracker.on_finding(container, finding, classify::Channel::probe, now, now);
    if (m_on_incident) {
        m_on_incident(incident);
    }
}

bool ProbeScheduler::failing(const std::string& container) const
{
    for (const auto& [id, watched] : m_watched) {
        if (watched->details.name == container && std::any_of(watched->probes.begin(), watched->probes.end(),
                                                              [](const auto& state) { return state->reported; })) {
            return true;
        }
    }
    return false;
}

asio::awaitable<heal::ProbeVerdict> ProbeScheduler::check_now(const docker::ContainerDetails& container)
{
    heal::ProbeVerdict verdict;
    if (!m_options.enabled) {
        co_return verdict;
    }
    const auto plan = probe::plan_probes(container, probe::PlanOptions{m_options.timeout, false});
    std::vector<std::string> seen;
    for (const auto& spec : plan.probes) {
        auto result = co_await probe::run_probe(m_executor, m_client, container, spec);
        seen.push_back(fmt::format("probe {}: {}", spec.kind, result.summary));
        if (result.status == ProbeStatus::starting) {
            verdict.ok = false;
            verdict.starting = true;
        } else if (result.status == ProbeStatus::failing) {
            verdict.ok = false;
        }
    }
    verdict.evidence = fmt::format("{}", fmt::join(seen, "; "));
    co_return verdict;
}

} // namespace medic::watch
