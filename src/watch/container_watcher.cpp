#include "watch/container_watcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/time_format.hpp"
#include "docker/log_stream.hpp"

namespace medic::watch {
namespace {

namespace asio = boost::asio;
using classify::Channel;

bool is_interesting(std::string_view action)
{
    return action == "die" || action == "oom" || action.starts_with("health_status");
}

/// The kernel's OOM killer ended the container (State.OOMKilled): a fact, not a line to match.
classify::Finding oom_finding(const docker::ContainerDetails& details)
{
    classify::Finding finding;
    finding.type = classify::ErrorType::resource_exhausted;
    finding.severity = classify::Severity::error;
    finding.check = "inspect-oom-killed";
    finding.context = {{"resource", "memory"}, {"exit_code", std::to_string(details.exit_code)}};
    if (details.memory_limit > 0) {
        finding.context["limit"] = std::to_string(details.memory_limit);
    }
    finding.text = details.memory_limit > 0
                       ? fmt::format("killed by the kernel's OOM killer at its memory limit of {} MiB (exit code {})",
                                     details.memory_limit / (1024 * 1024), details.exit_code)
                       : fmt::format("killed by the kernel's OOM killer (exit code {})", details.exit_code);
    return finding;
}

/// An oom event or a health check gone unhealthy, as a typed finding.
std::optional<classify::Finding> event_finding(const docker::Event& event)
{
    classify::Finding finding;
    finding.text = describe_event(event);
    if (event.action == "oom") {
        finding.type = classify::ErrorType::resource_exhausted;
        finding.check = "event-container-oom";
        finding.context = {{"resource", "memory"}};
        return finding;
    }
    if (event.action == "health_status: unhealthy") {
        finding.type = classify::ErrorType::health_check_failed;
        finding.role = classify::RuleRole::symptom;
        finding.healable = true;
        finding.check = "event-health-status-unhealthy";
        return finding;
    }
    return std::nullopt;
}

constexpr incident::TimeMs k_block_quiet_ms = 300;    ///< an open block is decided after this silence
constexpr incident::TimeMs k_symptom_quiet_ms = 3000; ///< a symptom no cause followed is recorded after this

} // namespace

incident::TimeMs now_ms()
{
    return unix_millis_now();
}

std::string describe_event(const docker::Event& event)
{
    std::string attributes;
    for (const auto& [key, value] : event.attributes) {
        if (key == "name" || key == "image" || key == "exitCode" || key == "signal") {
            attributes += (attributes.empty() ? "" : ", ") + key + "=" + value;
        }
    }
    return fmt::format("{} {} {} {} ({})", format_utc(event.time_nano, TimeStyle::rfc3339_nanos), event.type,
                       event.action, event.actor_id, attributes);
}

struct ContainerWatcher::Followed {
    std::unique_ptr<docker::LogStream> stream;
    std::unique_ptr<asio::steady_timer> retry;
    bool closed = false;
    bool started_again = false; ///< a start event came while this follower was winding down
};

ContainerWatcher::ContainerWatcher(docker::DockerClient& client, classify::Classifier& classifier,
                                   incident::IncidentTracker& tracker, store::Store& store, WatcherOptions options)
    : m_client(client), m_classifier(classifier), m_tracker(tracker), m_store(store), m_options(std::move(options))
{
}

ContainerWatcher::~ContainerWatcher() = default;

void ContainerWatcher::stop()
{
    m_stopping = true;
    if (m_events) {
        m_events->stop();
    }
    if (m_timer) {
        m_timer->cancel();
    }
    if (m_sweep) {
        m_sweep->cancel();
    }
    for (auto& [id, followed] : m_followed) {
        followed->closed = true;
        if (followed->stream) {
            followed->stream->close();
        }
        if (followed->retry) {
            followed->retry->cancel();
        }
    }
}

void ContainerWatcher::record(const incident::ContainerRef& container, const classify::Finding& finding,
                              Channel channel, incident::TimeMs signal_time)
{
    auto incident = m_tracker.on_finding(container, finding, channel, now_ms(), signal_time);
    if (m_on_incident) {
        m_on_incident(incident);
    }
}

void ContainerWatcher::classify_and_record(const incident::ContainerRef& container, std::string_view text,
                                           Channel channel, incident::TimeMs signal_time)
{
    if (auto finding = m_classifier.classify(text, channel)) {
        record(container, *finding, channel, signal_time);
    }
}

ContainerWatcher::RunReading& ContainerWatcher::reading_of(const std::string& id)
{
    auto found = m_readings.find(id);
    if (found == m_readings.end()) {
        found = m_readings.emplace(id, RunReading(m_classifier)).first;
    }
    return found->second;
}

void ContainerWatcher::read_line(const incident::ContainerRef& container, const std::string& text,
                                 incident::TimeMs written)
{
    auto& reading = reading_of(container.id);
    m_names[container.id] = container.name;
    reading.last_line = now_ms();
    for (auto& block : reading.reader.push(text, written)) {
        take_block(container, reading, std::move(block));
    }
    m_tracker.on_log_line(container, text);
    if (reading.reader.pending() || !reading.deferred.empty()) {
        arm_sweep();
    }
}

void ContainerWatcher::take_block(const incident::ContainerRef& container, RunReading& reading,
                                  classify::BlockFinding block)
{
    if (block.finding.role == classify::RuleRole::cause) {
        reading.cause_at = now_ms();
        reading.deferred.clear(); // the cause explains them
        record(container, block.finding, Channel::log, block.written_ms);
        return;
    }
    // A symptom or a header alone says that something failed, not why: held back until the
    // run ends or goes quiet, so a cause later in the run decides instead.
    if (reading.cause_recent(now_ms())) {
        return;
    }
    if (reading.deferred.empty()) {
        reading.deferred_since = now_ms();
    }
    if (reading.deferred.size() < 16) {
        reading.deferred.push_back(std::move(block));
    }
}

void ContainerWatcher::finish_run(const incident::ContainerRef& container)
{
    auto found = m_readings.find(container.id);
    if (found == m_readings.end()) {
        return;
    }
    auto& reading = found->second;
    for (auto& block : reading.reader.flush()) {
        take_block(container, reading, std::move(block));
    }
    if (reading.cause_at == 0) {
        if (auto best = classify::decide_run(reading.deferred)) {
            record(container, best->finding, Channel::log, best->written_ms);
        }
    }
    reading.deferred.clear();
    reading.cause_at = 0; // the next run is read afresh
}

void ContainerWatcher::arm_sweep()
{
    if (m_sweeping || m_stopping || !m_tasks) {
        return;
    }
    m_sweeping = true;
    spawn(sweep_loop());
}

asio::awaitable<void> ContainerWatcher::sweep_loop()
{
    if (!m_sweep) {
        m_sweep = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
    }
    bool waiting = true;
    while (waiting && !m_stopping) {
        m_sweep->expires_after(std::chrono::milliseconds(k_block_quiet_ms));
        co_await m_sweep->async_wait(asio::as_tuple(asio::use_awaitable));
        waiting = false;
        const auto now = now_ms();
        for (auto& [id, reading] : m_readings) {
            const incident::ContainerRef container{id, m_names.contains(id) ? m_names.at(id) : id.substr(0, 12)};
            if (reading.reader.pending() && now - reading.last_line >= k_block_quiet_ms) {
                for (auto& block : reading.reader.flush()) {
                    take_block(container, reading, std::move(block));
                }
            }
            if (!reading.deferred.empty() && now - reading.deferred_since >= k_symptom_quiet_ms) {
                if (auto best = classify::decide_run(reading.deferred); best && !reading.cause_recent(now)) {
                    record(container, best->finding, Channel::log, best->written_ms);
                }
                reading.deferred.clear();
            }
            waiting = waiting || reading.reader.pending() || !reading.deferred.empty();
        }
    }
    m_sweeping = false;
}

void ContainerWatcher::report_daemon_error(const incident::ContainerRef& container, const Error& error)
{
    classify_and_record(container, error.message, Channel::daemon, now_ms());
}

bool ContainerWatcher::accept(const std::string& id, const std::string& name, const docker::Labels& labels)
{
    if (id == m_options.self_container_id ||
        (!m_options.self_container_id.empty() && id.starts_with(m_options.self_container_id))) {
        return false;
    }
    if (auto helper = labels.find("medic.helper"); helper != labels.end() && helper->second == "true") {
        return false; // medic's own one-shot helpers
    }
    if (m_label_checked.insert(id).second) {
        for (const auto& problem : check_labels(labels)) {
            spdlog::warn("container {}: {}", name, problem.message);
            classify::Finding finding;
            finding.type = classify::ErrorType::config_error;
            finding.severity = classify::Severity::warning;
            finding.context = {{"label", problem.label}};
            finding.text = problem.message;
            record({id, name}, finding, Channel::inspect, now_ms());
        }
    }
    return is_watched(labels, m_options.mode, m_options.only);
}

void ContainerWatcher::start_following(const std::string& id, const std::string& name, std::int64_t since_nano)
{
    if (m_stopping) {
        return;
    }
    if (auto existing = m_followed.find(id); existing != m_followed.end()) {
        // The follower of the previous run may be finishing: it reads this run too.
        existing->second->started_again = true;
        return;
    }
    m_followed[id] = std::make_shared<Followed>();
    spawn(follow_logs(id, name, since_nano));
}

asio::awaitable<void> ContainerWatcher::follow_logs(std::string id, std::string name, std::int64_t since_nano)
{
    auto followed = m_followed[id];
    const incident::ContainerRef container{id, name};
    while (!m_stopping && !followed->closed) {
        docker::LogOptions options;
        options.follow = true;
        options.timestamps = true;
        // Resume from the last line read (lines at that instant are skipped below), else
        // from the container's start: a line written before this request is not lost.
        auto last = m_last_line_nano.find(id);
        options.since = docker::to_api_time(last != m_last_line_nano.end() ? last->second : since_nano);
        followed->started_again = false;
        auto stream = co_await m_client.open_logs(id, options);
        if (!stream) {
            if (!stream.error().is_status(404)) {
                spdlog::warn("logs of {}: {}", name, stream.error().message);
            }
            break;
        }
        followed->stream = std::move(*stream);
        if (m_stopping || followed->closed) {
            break; // stop() came while the stream was opening: it found nothing to close
        }
        for (;;) {
            auto line = co_await followed->stream->next();
            if (!line || !*line) {
                break; // the container stopped, or the stream failed: decided below
            }
            const auto written = parse_rfc3339((*line)->timestamp);
            const std::int64_t written_nano = written ? unix_nanos(*written) : unix_nanos_now();
            auto& resume = m_last_line_nano[id];
            if (written_nano <= resume) {
                continue; // already seen before a reconnect
            }
            resume = written_nano;
            read_line(container, (*line)->text, written_nano / 1'000'000);
        }
        followed->stream.reset();
        finish_run(container); // every line of this run is read
        auto details = co_await m_client.inspect_container(id);
        if (details && details->running) {
            continue; // the stream dropped under a running container: resume at once
        }
        if (details && followed->started_again && !m_stopping) {
            continue; // it started again while this run's stream was closing: follow the new run
        }
        if (details || details.error().is_status(404) || m_stopping) {
            break; // stopped or gone: a new follower starts with the container's next start
        }
        // The daemon does not answer (restarting?): try again shortly, resuming from the last line.
        followed->retry = std::make_unique<asio::steady_timer>(m_executor, std::chrono::seconds(1));
        co_await followed->retry->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (auto current = m_followed.find(id); current != m_followed.end() && current->second == followed) {
        m_followed.erase(current);
    }
}

asio::awaitable<void> ContainerWatcher::check_state(incident::ContainerRef container, bool exited)
{
    auto details = co_await m_client.inspect_container(container.id);
    if (!details) {
        co_return;
    }
    container.name = details->name;
    if (exited && details->oom_killed) {
        record(container, oom_finding(*details), Channel::inspect, now_ms());
    }
    if (!details->error.empty() && m_reported_state_errors.insert(details->id + "|" + details->error).second) {
        classify_and_record(container, details->error, Channel::inspect, now_ms());
    }
    if (details->health && details->health->status == "unhealthy" && !details->health->last_output().empty()) {
        classify_and_record(container, details->health->last_output(), Channel::inspect, now_ms());
    }
    if (!details->running && !details->restarting && details->exit_code != 0 && !m_followed.contains(details->id) &&
        m_scanned_exits[details->id] != details->finished_at) {
        m_scanned_exits[details->id] = details->finished_at;
        co_await scan_last_lines(container);
    }
    if (details->running && details->health && details->health->status == "healthy") {
        for (const auto& resolved : m_tracker.on_healthy(container, now_ms())) {
            spdlog::info("incident {} ({} on {}) resolved: the container is healthy again", resolved.id,
                         classify::to_string(resolved.type), resolved.container_name);
        }
    }
}

asio::awaitable<void> ContainerWatcher::scan_last_lines(incident::ContainerRef container)
{
    // A container that failed before medic watched it (or while medic was down): its
    // last lines say why. Lines a follower already read are skipped by their time.
    docker::LogOptions options;
    options.timestamps = true;
    options.tail = "50";
    auto stream = co_await m_client.open_logs(container.id, options);
    if (!stream) {
        co_return;
    }
    auto& resume = m_last_line_nano[container.id];
    for (;;) {
        auto line = co_await (*stream)->next(std::chrono::seconds(5));
        if (!line || !*line) {
            break;
        }
        const auto written = parse_rfc3339((*line)->timestamp);
        const std::int64_t written_nano = written ? unix_nanos(*written) : unix_nanos_now();
        if (written_nano <= resume) {
            continue;
        }
        resume = written_nano;
        read_line(container, (*line)->text, written_nano / 1'000'000);
    }
    finish_run(container);
}

asio::awaitable<void> ContainerWatcher::handle_event(const docker::Event& event)
{
    if (event.type != "container" || event.action.starts_with("exec_") || event.action == "top" ||
        event.action == "archive-path") {
        co_return; // health checks, medic's probes and its examinations exec, list and stat: not news
    }
    const incident::ContainerRef container{event.actor_id, event.actor_name()};
    if (!accept(event.actor_id, container.name, event.attributes)) {
        co_return;
    }
    const auto event_ms = event.time_nano / 1'000'000;
    if (auto code = event.exit_code()) {
        spdlog::info("event: container {} {} (exit code {})", event.action, container.name, *code);
    } else {
        spdlog::info("event: container {} {}", event.action, container.name);
    }
    if (event.action == "start") {
        // The process runs, and may write, before the daemon announces the start.
        start_following(event.actor_id, container.name, event.time_nano - 1'000'000'000);
    } else if (event.action == "destroy") {
        m_last_line_nano.erase(event.actor_id);
        m_scanned_exits.erase(event.actor_id);
        m_requested_stops.erase(event.actor_id);
        m_readings.erase(event.actor_id);
        m_names.erase(event.actor_id);
    }
    if (is_interesting(event.action)) {
        m_store.insert_event({container.id, container.name, event.action, describe_event(event), event_ms});
        if (auto finding = event_finding(event)) {
            record(container, *finding, Channel::event, event_ms);
        }
    }
    if (event.action == "kill") {
        m_requested_stops.insert(event.actor_id); // docker stop/restart (a person's or medic's): not a crash
    }
    const bool requested = event.action == "die" && m_requested_stops.erase(event.actor_id) > 0;
    if (event.action == "die" && !requested) {
        if (auto loop = m_tracker.on_exit(container, event.exit_code().value_or(-1), now_ms()); loop && m_on_incident) {
            m_on_incident(*loop);
        }
    }
    if (event.action == "die" || event.action == "start" || event.action.starts_with("health_status")) {
        co_await check_state(container, event.action == "die");
    }
    if (event.action == "die" && m_on_stopped) {
        m_on_stopped(ContainerExit{container, event.exit_code().value_or(-1), requested});
    }
    if (event.action == "start" && m_on_started) {
        m_on_started(container);
    }
}

asio::awaitable<void> ContainerWatcher::reconcile()
{
    auto containers = co_await m_client.list_containers();
    if (!containers) {
        spdlog::warn("reconcile: {}", containers.error().message);
        co_return;
    }
    for (const auto& summary : *containers) {
        if (m_stopping) {
            co_return;
        }
        if (!accept(summary.id, summary.name(), summary.labels)) {
            continue;
        }
        if (summary.state == "running") {
            start_following(summary.id, summary.name(), unix_nanos_now());
        }
        // Stopped and unhealthy containers may carry an error a missed event would have
        // shown; a healthy one matters only when it has incidents to resolve.
        const bool stopped = summary.state == "created" || summary.state == "exited" || summary.state == "dead";
        const bool unhealthy = summary.status.find("(unhealthy)") != std::string::npos;
        const bool healthy = summary.status.find("(healthy)") != std::string::npos;
        if (stopped || unhealthy || (healthy && m_tracker.has_open_incidents(summary.id))) {
            // A named local: GCC 12 destroys braced temporaries in a co_await expression twice.
            const incident::ContainerRef container{summary.id, summary.name()};
            co_await check_state(container, false);
        }
    }
}

void ContainerWatcher::spawn(asio::awaitable<void> task)
{
    m_tasks->spawn(std::move(task));
}

asio::awaitable<void> ContainerWatcher::reconcile_loop()
{
    m_timer = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
    auto last_retention = std::chrono::steady_clock::now() - std::chrono::hours(2);
    while (!m_stopping) {
        co_await reconcile();
        if (std::chrono::steady_clock::now() - last_retention > std::chrono::hours(1)) {
            m_store.apply_retention(m_options.retention, now_ms()); // history is bounded by age and count
            last_retention = std::chrono::steady_clock::now();
        }
        if (m_stopping) {
            break; // stop() came while reconciling: its cancel found no wait to end
        }
        m_timer->expires_after(m_options.reconcile_interval);
        co_await m_timer->async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> ContainerWatcher::run()
{
    auto executor = co_await asio::this_coro::executor;
    m_executor = executor;
    m_tasks = std::make_unique<TaskGroup>(executor, "watcher");
    docker::EventOptions options;
    options.filters["type"] = {"container"};
    m_events = std::make_unique<docker::EventFollower>(m_client, options);
    m_events->on_disconnect([](const Error& error) { spdlog::warn("event stream: {}", error.message); });
    spawn(reconcile_loop());
    while (!m_stopping) {
        auto event = co_await m_events->next();
        if (!event) {
            spdlog::error("event stream refused: {}", event.error().message);
            break;
        }
        if (!event->has_value()) {
            break;
        }
        co_await handle_event(**event);
    }
    stop();
    co_await m_tasks->drained();
}

} // namespace medic::watch
