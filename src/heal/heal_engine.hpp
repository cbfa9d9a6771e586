#pragma once
// The recovery engine: for each incident it picks the playbook for the error type and
// the container's profile, runs its actions from the gentlest to the strongest, verifies
// the service after each, and resolves the incident or escalates it to a person. Every
// action is journaled before it starts and when it ends. Backoff, a circuit breaker and
// host-wide caps keep it from becoming a restart storm; one playbook at a time per
// container; medic never heals itself or its helpers.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/task_group.hpp"
#include "docker/client.hpp"
#include "heal/examination_decision.hpp"
#include "heal/examiner.hpp"
#include "heal/heal_limits.hpp"
#include "heal/heal_options.hpp"
#include "heal/playbook.hpp"
#include "heal/service_probes.hpp"
#include "heal/volume_helper.hpp"
#include "incident/incident_tracker.hpp"
#include "store/store.hpp"

namespace medic::heal {

/// What verification saw.
struct Verdict {
    bool healthy = false;
    std::string evidence; ///< state, health, readiness answer: for the journal
};

/// What `medic heal` reports: the action's result and, when it acted, the verification.
struct RequestedRun {
    ActionResult result{};
    Verdict verdict{};
};

class HealEngine {
public:
    HealEngine(boost::asio::any_io_executor executor, docker::DockerClient& client, store::Store& store,
               incident::IncidentTracker& tracker, PlaybookCatalog playbooks, HealOptions options);
    ~HealEngine();

    /// An incident opened or was updated: heal it if a playbook applies and the limits allow.
    void on_incident(const incident::Incident& incident);

    /// medic's own probes: a running container whose probe fails is in trouble, and a repair
    /// is verified by its probes too. Null: Docker's view only.
    void set_probes(ServiceProbes* probes) { m_probes = probes; }

    /// A container stopped: an open incident that waited while it ran may be healed now; one
    /// that exits non-zero again (not asked to stop) is examined, and what the facts show
    /// becomes an incident even when the service printed nothing about it.
    void on_container_exited(const incident::ContainerRef& container, int exit_code, bool requested);

    /// A container started: who its processes run as is sampled while it runs.
    void on_container_started(const incident::ContainerRef& container);

    /// Examines `container` now and keeps the examination in the history (medic diagnose, the API).
    boost::asio::awaitable<Result<Examination>> examine_now(const std::string& container, ExaminationReason reason);

    /// After a crash of medic: actions left running are marked interrupted and their
    /// incidents evaluated again.
    void recover_interrupted();

    /// Cancels waits; running playbooks end at their next step. wait_idle() completes when all ended.
    void stop();
    boost::asio::awaitable<void> wait_idle();

    /// True when no evaluation or playbook runs.
    [[nodiscard]] bool idle() const { return m_tasks.size() == 0; }

    /// Containers with a playbook running now.
    [[nodiscard]] std::size_t active_playbooks() const { return m_active.size(); }

    /// A person asked for `action` on `container`: journaled without an incident, then verified.
    boost::asio::awaitable<RequestedRun> run_requested(const std::string& container, const Action& action);

    /// Waits until `container` runs, stays up `settle`, is healthy and answers its profile's readiness check.
    boost::asio::awaitable<Verdict> verify_service(const std::string& container, Profile profile);

private:
    boost::asio::awaitable<void> evaluate(std::int64_t incident_id, std::string container);
    boost::asio::awaitable<void> run_playbook(incident::Incident incident, docker::ContainerDetails container,
                                              const Playbook& playbook, Profile profile, ContainerPolicy policy,
                                              std::optional<Examination> examination);
    /// The examination of this run or exit of `container`, taken now unless a recent one exists; stored.
    boost::asio::awaitable<Examination> examination_of(const docker::ContainerDetails& container,
                                                       const incident::Incident& incident, ExaminationReason reason);
    /// Logs an examination and keeps it in the history.
    void keep(const Examination& examination);
    /// Acts on what the examination showed; true when that settled the incident (it was
    /// superseded by its cause, or escalated).
    bool apply(const incident::Incident& incident, const ExaminationDecision& decision);
    /// Examines the running containers that live in `owner`'s network (network_mode container:X).
    boost::asio::awaitable<void> examine_joined(incident::ContainerRef owner);
    /// Examines a container that exited non-zero again, and records what the facts show.
    boost::asio::awaitable<void> examine_exit(incident::ContainerRef container, int exit_code);
    /// Journals and runs one action outside a playbook (no verification); answers its result.
    boost::asio::awaitable<ActionResult> run_journaled(const incident::Incident& incident,
                                                       docker::ContainerDetails container, const Action& action,
                                                       std::string reason);
    /// Stops a container crash-looping under a restart policy (journaled); the sentence for the note, or "".
    boost::asio::awaitable<std::string> end_crash_loop(const incident::Incident& incident,
                                                       const docker::ContainerDetails& container);
    /// Escalates `incident` when medic stopped `container` on giving up and it has not run
    /// since: healing it again would undo that decision. True when it did.
    bool left_stopped(const incident::Incident& incident, const docker::ContainerDetails& container);
    /// Before healing `container`: the containers it depends on that are down are healed first
    /// (started, verified). True when one was.
    boost::asio::awaitable<bool> heal_dependencies(const incident::Incident& incident,
                                                   const docker::ContainerDetails& container);
    /// The container that answers to `host` for `container`: by name, else by its compose service.
    boost::asio::awaitable<std::optional<docker::ContainerDetails>>
    find_dependency(const docker::ContainerDetails& container, const std::string& host);
    /// An incident about the host itself: a full disk is pruned of what Docker can rebuild, then escalated.
    boost::asio::awaitable<void> heal_host(const incident::Incident& incident);
    /// Down by Docker's view or by a probe of medic's.
    [[nodiscard]] bool in_trouble(const docker::ContainerDetails& container) const;
    boost::asio::awaitable<void> restart_dependents(const std::string& recovered, std::int64_t incident_id);
    boost::asio::awaitable<bool> pause(std::chrono::milliseconds duration);
    void escalate(const incident::Incident& incident, const std::string& note, bool keep_tracking);
    void spawn(boost::asio::awaitable<void> task);

    boost::asio::any_io_executor m_executor;
    TaskGroup m_tasks; ///< evaluations and playbooks
    docker::DockerClient& m_client;
    store::Store& m_store;
    incident::IncidentTracker& m_tracker;
    PlaybookCatalog m_playbooks;
    HealOptions m_options;
    HealLimits m_limits;
    VolumeHelper m_helper;
    Examiner m_examiner;
    ServiceProbes* m_probes = nullptr;
    std::map<std::string, std::deque<incident::TimeMs>> m_failed_exits; ///< per container id, unrequested non-zero
    std::set<std::string> m_active;                                     ///< container names with a playbook running
    std::set<std::string> m_pending;               ///< container names with an evaluation scheduled
    std::set<std::int64_t> m_planned;              ///< incidents a dry run has planned already
    std::map<std::string, std::int64_t> m_waiting; ///< container -> incident that waits while it runs
    std::set<std::string> m_examining;             ///< container ids with an exit examination running
    struct GaveUp {
        std::int64_t incident_id = 0;
        incident::TimeMs stopped_at = 0;
    };
    std::map<std::string, GaveUp> m_gave_up; ///< container name -> when medic stopped it on giving up
    bool m_stopping = false;
    struct Timers;
    std::unique_ptr<Timers> m_timers;
};

} // namespace medic::heal
