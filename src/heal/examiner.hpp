#pragma once
// The examination: before medic acts on a failing container, and always before it
// gives up, it checks what a person would check — who the service runs as, whether
// that user can reach and write every folder it uses on its mounts, whether those
// file systems have blocks and inodes left, whether its host ports are free, whether
// it sits in the network namespace it was meant to join, whether its bind sources and
// its command exist, what its exit code says. Each check is a typed fact
// (heal/examination.hpp); the checks themselves live in heal/examine/, one file each.

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "docker/client.hpp"
#include "heal/examination.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {

/// What asks for an examination, and what it already knows.
struct ExaminationRequest {
    ExaminationReason reason = ExaminationReason::asked;
    /// Paths the failure named (an incident's `path` and `file`): absolute, or relative to the
    /// service's data folder.
    std::vector<std::string> paths{};
    /// The last exit followed a docker stop or kill (a person's or medic's): no crash.
    bool stop_requested = false;
};

/// One run of a container, for changes made while it ran.
struct RunWindow {
    incident::TimeMs started = 0;
    incident::TimeMs ended = 0; ///< 0: still running
};

/// Who a container's processes were seen running as, while it ran.
struct ObservedUser {
    unsigned uid = 0;
    unsigned gid = 0;
    std::vector<unsigned> groups{};
    std::string command; ///< the process that showed it
    incident::TimeMs seen_at = 0;
};

class Examiner {
public:
    /// `on_host`: medic shares the host's network and process namespaces, so host ports and
    /// /proc can be read (it runs on the host, or in a container with network and pid host).
    Examiner(docker::DockerClient& client, VolumeHelper& helper, bool on_host)
        : m_client(client), m_helper(helper), m_on_host(on_host)
    {
    }

    /// Waits `duration`; false when medic is stopping (the engine's cancellable pause).
    using Pause = std::function<boost::asio::awaitable<bool>(std::chrono::milliseconds)>;

    /// A container started: its processes are sampled a few times while it runs, until one runs
    /// as a user other than root (a service that drops privileges shows its real user only then).
    boost::asio::awaitable<void> observe(std::string container, Pause pause);

    /// Records a run that ended, for ownership changes made while the service ran.
    void ran(const std::string& container_id, RunWindow run);

    /// Examines `container` now; never throws, every check says what it saw.
    boost::asio::awaitable<Examination> examine(const docker::ContainerDetails& container, ExaminationRequest request);

    /// The last examination of this container within `max_age` if it examined the same run or
    /// exit, or is only seconds old.
    [[nodiscard]] const Examination* recent(const docker::ContainerDetails& container,
                                            std::chrono::milliseconds max_age) const;

    /// When the container was last examined, 0 never.
    [[nodiscard]] incident::TimeMs last_examined(const std::string& container_name) const
    {
        auto found = m_last.find(container_name);
        return found == m_last.end() ? 0 : found->second.examined_at;
    }

    /// What was seen of the container's user, if anything.
    [[nodiscard]] std::optional<ObservedUser> observed(const std::string& container_id) const;

private:
    docker::DockerClient& m_client;
    VolumeHelper& m_helper;
    bool m_on_host;
    std::map<std::string, ObservedUser> m_observed;      ///< by container id
    std::map<std::string, std::deque<RunWindow>> m_runs; ///< by container id, the last few
    std::map<std::string, Examination> m_last;           ///< by container name
};

/// Reads `docker top -o pid,uid,gid,supgid,comm`: the user of the service, preferring a
/// process that does not run as root (the one that dropped its privileges).
std::optional<ObservedUser> user_from_processes(const docker::ProcessList& processes);

} // namespace medic::heal
