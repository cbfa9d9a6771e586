#pragma once
// Private to `medic diagnose`: what one diagnosis found, gathered by
// diagnose_command.cpp (which talks to the daemon) and written out for a person or as
// JSON by diagnosis_report.cpp (which does not), so each compiles on its own.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "classify/classifier.hpp"
#include "docker/types.hpp"
#include "heal/examination.hpp"
#include "heal/playbook.hpp"
#include "heal/profile.hpp"
#include "probe/host_check.hpp"
#include "probe/probe.hpp"

namespace medic::cli {

/// One thing found wrong, from where, and what medic would do about it.
struct Problem {
    std::string source; ///< "probe http", "state", "log", "host"
    classify::Finding finding;
    const heal::Playbook* playbook = nullptr;
};

struct ProbeRun {
    probe::ProbeSpec spec;
    probe::ProbeResult result;
};

struct Diagnosis {
    docker::ContainerDetails container;
    std::optional<heal::Examination> examination;
    heal::Profile profile = heal::Profile::generic;
    std::vector<std::string> plan_problems;
    std::vector<ProbeRun> probes;
    std::vector<Problem> problems;
    probe::HostReport host;
    std::optional<heal::PlaybookCatalog> playbooks;   ///< the problems' playbooks point into it
    std::unique_ptr<classify::Classifier> classifier; ///< the findings' rules point into it
};

/// The diagnosis as the JSON document `medic diagnose --json` prints (indented).
std::string diagnosis_json(const Diagnosis& diagnosis);

/// The diagnosis for a person, on standard output.
void print_diagnosis(const Diagnosis& diagnosis);

} // namespace medic::cli
