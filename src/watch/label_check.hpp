#pragma once
// medic.* labels on containers: a mistyped label must never silently disable
// healing, so unknown labels and bad values are problems to report.

#include <optional>
#include <string>
#include <vector>

#include "docker/types.hpp"

namespace medic::watch {

/// Whether medic watches a container: all by default, `medic.enable=false` opts one
/// out; in opt-in mode only `medic.enable=true` ones are watched.
enum class WatchMode { all, opt_in };

/// One problem with a container's medic labels, said for a person.
struct LabelProblem {
    std::string label;
    std::string message;
};

/// Every medic.* label medic reads (for `docs/configuration.md`, which a test checks).
std::vector<std::string> known_labels();

/// Checks every medic.* label: known names, and values of the right form.
std::vector<LabelProblem> check_labels(const docker::Labels& labels);

/// True when the container is to be watched under `mode` and carries the `only` label
/// when one is set (a bad medic.enable value keeps it watched: silence is the worse failure).
bool is_watched(const docker::Labels& labels, WatchMode mode, const std::optional<docker::LabelSelector>& only = {});

} // namespace medic::watch
