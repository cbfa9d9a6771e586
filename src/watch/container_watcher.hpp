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

#include "classify/block_reader.hpp"
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
    /// Only containers with this label (config watch_label); every container when unset.
    std::optional<docker::LabelSelector> only;
    /// A periodic comparison with the container list catches what an event missed.
    std::chrono::milliseconds reconcile_interval{30000};
    /// medic's own container (when it runs in one), never watched.
    std::string self_container_id;
    /// Applied to the history at start and every hour.
    store::Retention retention{};
};

/// A watched container stopped (a die event).
struct ContainerExit {
    incident::ContainerRef container;
    int exit_code = 0;
    bool requested = false; ///< after a docker stop, restart or kill (a person's or medic's): no crash
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
    void on_stopped(std::function<void(const ContainerExit&)> callback) { m_on_stopped = std::move(callback); }

    /// Containers whose logs are followed right now.
    [[nodiscard]] std::size_t followed_count() const { return m_followed.size(); }

private:
    struct Followed;
    /// One run of a container read as a whole: its blocks, whether a cause was seen, and the
    /// symptoms held back until the run ends or goes quiet without one.
    struct RunReading {
        explicit RunReading(classify::Classifier& classifier) : reader(classifier) {}
        classify::BlockReader reader;
        incident::TimeMs last_line = 0;
        incident::TimeMs cause_at = 0; ///< when a cause was last recorded in this run; 0: none
        [[nodiscard]] bool cause_recent(incident::TimeMs now) const { return cause_at > 0 && now - cause_at < 60'000; }
        std::vector<classify::BlockFinding> deferred;
        incident::TimeMs deferred_since = 0;
    };

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
    /// A log line of the container's current run: read into its blocks, their decisions recorded or held back.
    void read_line(const incident::ContainerRef& container, const std::string& text, incident::TimeMs written);
    void take_block(const incident::ContainerRef& container, RunReading& reading, classify::BlockFinding block);
    /// The run's lines are all read (its stream ended): the open block is decided, and a held-back
    /// symptom recorded when no cause came.
    void finish_run(const incident::ContainerRef& container);
    RunReading& reading_of(const std::string& id);
    /// Decides blocks that went quiet and symptoms no cause followed; runs while any wait.
    boost::asio::awaitable<void> sweep_loop();
    void arm_sweep();
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
    std::function<void(const ContainerExit&)> m_on_stopped;
    std::map<std::string, RunReading> m_readings; ///< per container id
    std::map<std::string, std::string> m_names;   ///< per container id, for the sweep
    std::unique_ptr<boost::asio::steady_timer> m_sweep;
    bool m_sweeping = false;
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
