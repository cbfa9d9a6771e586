#pragma once
// Watches every container of a host through four channels: the daemon's events,
// the daemon's answers (State.Error of containers it could not start, and errors
// of medic's own calls), health checks, and the containers' own log lines. Each
// observation is classified and handed to the incident tracker.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "classify/classifier.hpp"
#include "common/task_group.hpp"
#include "docker/client.hpp"
#include "docker/event_follower.hpp"
#include "incident/incident_tracker.hpp"
#include "watch/label_check.hpp"

namespace medic::docker {
class LogStream;
}

namespace medic::watch {

struct WatcherOptions {
    WatchMode mode = WatchMode::all;
    /// A periodic comparison with the container list catches what an event missed.
    std::chrono::milliseconds reconcile_interval{30000};
    /// medic's own container (when it runs in one), never watched.
    std::string self_container_id;
    /// Applied to the history at start and every hour.
    store::Retention retention{};
};

class ContainerWatcher {
public:
    ContainerWatcher(docker::DockerClient& client, classify::Classifier& classifier, incident::IncidentTracker& tracker,
                     store::Store& store, WatcherOptions options = {});
    ~ContainerWatcher();

    /// Watches until stop(), then waits for its log followers and timers to finish;
    /// needs the client to be negotiated.
    boost::asio::awaitable<void> run();

    /// Ends run(): closes the event stream, the log followers and the timer.
    void stop();

    /// An error the daemon returned to one of medic's own calls about `container`.
    void report_daemon_error(const incident::ContainerRef& container, const Error& error);

    /// Called with each incident opened or updated (for logging and, later, healing).
    void on_incident(std::function<void(const incident::Incident&)> callback) { m_on_incident = std::move(callback); }

    /// Called when a watched container starts (a start event).
    void on_started(std::function<void(const incident::ContainerRef&)> callback) { m_on_started = std::move(callback); }

    /// Called when a watched container stops (a die event).
    void on_stopped(std::function<void(const incident::ContainerRef&)> callback) { m_on_stopped = std::move(callback); }

    /// Containers whose logs are followed right now.
    [[nodiscard]] std::size_t followed_count() const { return m_followed.size(); }

private:
    struct Followed;

    /// Starts a child task; run() returns only after every child has finished.
    void spawn(boost::asio::awaitable<void> task);
    boost::asio::awaitable<void> reconcile_loop();
    boost::asio::awaitable<void> reconcile();
    boost::asio::awaitable<void> handle_event(const docker::Event& event);
    boost::asio::awaitable<void> follow_logs(std::string id, std::string name, std::int64_t since_nano);
    boost::asio::awaitable<void> check_state(incident::ContainerRef container, bool exited);
    /// Classifies the last lines of a container that exited with an error, once per exit.
    boost::asio::awaitable<void> scan_last_lines(incident::ContainerRef container);
    /// Follows a container's logs from `since_nano` (its start, or now for one found running).
    void start_following(const std::string& id, const std::string& name, std::int64_t since_nano);
    bool accept(const std::string& id, const std::string& name, const docker::Labels& labels);
    void classify_and_record(const incident::ContainerRef& container, std::string_view text, classify::Channel channel,
                             incident::TimeMs signal_time);
    void record(const incident::ContainerRef& container, const classify::Finding& finding, classify::Channel channel,
                incident::TimeMs signal_time);

    docker::DockerClient& m_client;
    classify::Classifier& m_classifier;
    incident::IncidentTracker& m_tracker;
    store::Store& m_store;
    WatcherOptions m_options;
    std::unique_ptr<docker::EventFollower> m_events;
    std::unique_ptr<boost::asio::steady_timer> m_timer;
    std::map<std::string, std::shared_ptr<Followed>> m_followed;
    std::map<std::string, std::int64_t> m_last_line_nano; ///< per container: resume point of its log stream
    std::set<std::string> m_reported_state_errors;        ///< "id|error" already classified
    std::set<std::string> m_label_checked;
    std::set<std::string> m_requested_stops; ///< containers killed by an API call: their next exit is no crash
    std::map<std::string, std::string> m_scanned_exits; ///< id -> FinishedAt of the exit whose last lines were read
    std::function<void(const incident::Incident&)> m_on_incident;
    std::function<void(const incident::ContainerRef&)> m_on_stopped;
    std::function<void(const incident::ContainerRef&)> m_on_started;
    boost::asio::any_io_executor m_executor;
    std::unique_ptr<TaskGroup> m_tasks; ///< log followers and timers: run() waits for them
    bool m_stopping = false;
};

/// Renders an event as the docker CLI prints it:
/// "2026-11-28T05:20:38.123456789Z container die 3f2a... (exitCode=1, image=redis, name=cache)".
std::string describe_event(const docker::Event& event);

/// Milliseconds since the epoch, now.
incident::TimeMs now_ms();

} // namespace medic::watch
