#pragma once
// medic never deletes user data: a file that must go is moved (or copied) into
// `<mount>/.medic-quarantine/<stamp>/` in the same volume, with MANIFEST.tsv (incident,
// original path, size, sha256 per file), recorded in the store, and can be put back.

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/result.hpp"
#include "heal/action.hpp"

namespace medic::heal {

enum class QuarantineMode : std::uint8_t {
    move,     ///< the file leaves its place
    copy,     ///< a copy is kept before the original is repaired in place
    move_all, ///< everything under the mount (but earlier quarantines) leaves
};

/// Quarantines `paths` (absolute, inside the container, all under `root`, a mount point
/// of the container) and records it; answers the record. Paths that do not exist are skipped.
boost::asio::awaitable<Result<store::QuarantineRecord>>
quarantine(ActionContext& context, const std::string& root, const std::vector<std::string>& paths, QuarantineMode mode);

/// Puts the files of `record` back where they were; a file now in their place is
/// itself quarantined first. Needs a container that mounts the same volume.
boost::asio::awaitable<Result<std::string>> restore(VolumeHelper& helper, const docker::ContainerDetails& container,
                                                    const store::QuarantineRecord& record);

/// The folder name of a new quarantine: "20261128T081500Z-incident-42".
std::string quarantine_stamp(incident::TimeMs now, std::int64_t incident_id);

} // namespace medic::heal
