#pragma once
// Healing end to end: the watcher and the healing engine (what `medic run` runs) in
// this process, against real containers on the sandbox engine. Tests break a real
// service, wait until medic healed it (a condition with a deadline), and check the
// service answers and its data is still there.

#include <memory>
#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "heal/heal_engine.hpp"
#include "incident/incident_tracker.hpp"
#include "store/store.hpp"
#include "watch/container_watcher.hpp"
#include "watch/probe_scheduler.hpp"

namespace medic::e2e {

class HealingTest : public EngineTest {
protected:
    void SetUp() override;
    void TearDown() override;

    /// Options fit for tests: a 1 s settle, a 15 s verification, a short backoff.
    static heal::HealOptions test_options();

    /// Starts the watcher and the engine (call once per test, after any setup that must not be healed).
    void start_medic(heal::HealOptions options = test_options());

    /// Probe options fit for tests: threshold 2, no start period, no host checks, a 2 s timeout.
    static watch::ProbeOptions probe_test_options();

    /// Starts medic's probes beside the watcher and the engine, wired as `medic run` wires them
    /// (call after start_medic).
    void start_probes(watch::ProbeOptions options = probe_test_options());

    /// A spec labelled for this test and watched by medic.
    docker::ContainerSpec watched(std::string image, std::vector<std::string> command = {}) const;

    /// A named volume removed at the end of the test.
    std::string unique_volume(const std::string& base);

    /// Runs `command` in the tools image as root with the volumes of `container`; its exit code.
    int run_tool(const std::string& container, std::vector<std::string> command);

    /// Runs `command` in the tools image as root with `volume` (a name or a host folder) on /data; its exit code.
    int run_tool_on_volume(const std::string& volume, std::vector<std::string> command);

    /// `command` inside a running container (stdout; "" when it failed).
    std::string exec(const std::string& container, std::vector<std::string> command);

    /// Waits until the container's latest incident of `type` reaches `state`.
    std::optional<incident::Incident> wait_for_incident(const std::string& container, classify::ErrorType type,
                                                        incident::IncidentState state,
                                                        std::chrono::milliseconds deadline);

    /// Every incident of a container, newest first.
    std::vector<incident::Incident> incidents_of(const std::string& container);

    /// The journal of an incident, oldest first.
    std::vector<store::ActionRecord> actions_of(std::int64_t incident_id);

    /// Every action on a container, oldest first.
    std::vector<store::ActionRecord> actions_on(const std::string& container);

    /// Waits until the container runs and `redis-cli ping` answers PONG.
    bool wait_for_redis(const std::string& container, std::chrono::milliseconds deadline);

    /// Runs one registered action directly on `container`, as a playbook step would.
    heal::ActionResult run_action(std::string_view action, const std::string& container, classify::Context context = {},
                                  heal::HealOptions options = test_options());

    /// A fresh folder under /tmp owned by root with mode 0755, removed at the end.
    std::string root_owned_folder(const std::string& base);

    std::unique_ptr<classify::Classifier> m_classifier;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<incident::IncidentTracker> m_tracker;
    std::unique_ptr<watch::ContainerWatcher> m_watcher;
    std::unique_ptr<heal::HealEngine> m_engine;
    std::unique_ptr<watch::ProbeScheduler> m_probes;
    bool m_watching = false;
    bool m_probing = false;

private:
    std::vector<std::string> m_volumes;
    std::vector<std::string> m_folders;
};

} // namespace medic::e2e
