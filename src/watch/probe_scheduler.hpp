#pragma once
// Runs medic's probes on every watched running container: one timer per probe, the
// first run at a random point of its interval and each next one within ±10 % of it, so
// a hundred containers are never probed in one burst. A failure counts only after the
// container's start period, and becomes a finding only after `threshold` failures in a
// row; the finding is classified like any other signal (channel probe), the cause of a
// failed Redis save from the server's own last lines. A probe that answers again
// resolves the container's incidents.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "classify/classifier.hpp"
#include "common/task_group.hpp"
#include "docker/client.hpp"
#include "heal/service_probes.hpp"
#include "incident/incident_tracker.hpp"
#include "probe/host_check.hpp"
#include "probe/probe_plan.hpp"
#include "watch/label_check.hpp"

namespace medic::watch {

struct ProbeOptions {
    bool enabled = true;
    WatchMode mode = WatchMode::all;
    std::string self_container_id;
    int threshold = 3;                             ///< failures in a row before a finding
    std::chrono::milliseconds start_period{30000}; ///< after a start, failures do not count
    std::chrono::milliseconds timeout{5000};       ///< per probe run, unless medic.probe.timeout says otherwise
    std::chrono::milliseconds refresh{15000};      ///< how often the list of running containers is read
    /// Only containers with this label are probed (config watch_label).
    std::optional<docker::LabelSelector> only;
    bool host = true; ///< check the host too
    std::chrono::milliseconds host_interval{30000};
    probe::HostThresholds host_thresholds{};
};

class ProbeScheduler final : public heal::ServiceProbes {
public:
    ProbeScheduler(boost::asio::any_io_executor executor, docker::DockerClient& client,
                   classify::Classifier& classifier, incident::IncidentTracker& tracker, ProbeOptions options);
    ~ProbeScheduler() override;

    /// Probes until stop(); returns when every probe loop has ended.
    boost::asio::awaitable<void> run();
    void stop();

    /// Called with each incident a probe opened or updated.
    void on_incident(std::function<void(const incident::Incident&)> callback) { m_on_incident = std::move(callback); }

    /// A container (re)started: its probes are planned afresh and its start period begins.
    void container_started(const incident::ContainerRef& container);
    /// A container stopped: its probes end.
    void container_stopped(const incident::ContainerRef& container);

    [[nodiscard]] bool failing(const std::string& container) const override;
    boost::asio::awaitable<heal::ProbeVerdict> check_now(const docker::ContainerDetails& container) override;

    [[nodiscard]] std::size_t container_count() const { return m_watched.size(); }
    [[nodiscard]] std::size_t probe_count() const;

private:
    struct Watched;
    struct ProbeState;

    void spawn(boost::asio::awaitable<void> task);
    boost::asio::awaitable<void> refresh();
    boost::asio::awaitable<void> host_loop();
    boost::asio::awaitable<void> add(std::string id);
    void remove(const std::string& id);
    boost::asio::awaitable<void> probe_loop(std::shared_ptr<Watched> watched, std::shared_ptr<ProbeState> state);
    void handle(Watched& watched, ProbeState& state, const probe::ProbeResult& result);
    void report(Watched& watched, ProbeState& state, const probe::ProbeResult& result);
    bool accept(const std::string& id, const docker::Labels& labels) const;
    void log_counts();
    std::chrono::milliseconds jittered(std::chrono::milliseconds interval, double low, double high);

    boost::asio::any_io_executor m_executor;
    TaskGroup m_tasks; ///< probe loops and additions
    docker::DockerClient& m_client;
    classify::Classifier& m_classifier;
    incident::IncidentTracker& m_tracker;
    ProbeOptions m_options;
    std::map<std::string, std::shared_ptr<Watched>> m_watched; ///< by container id
    std::function<void(const incident::Incident&)> m_on_incident;
    std::mt19937 m_random{std::random_device{}()};
    std::size_t m_logged_containers = 0;
    std::size_t m_logged_probes = 0;
    bool m_stopping = false;
    bool m_host_reported = false;
    struct Wakeup;
    std::unique_ptr<Wakeup> m_wakeup;
};

} // namespace medic::watch
