#pragma once
// What the engine does with an examination: go on with the incident's playbook, heal
// the cause the facts show instead of the symptom, escalate with the evidence when no
// safe repair exists, or stop everything on a suspected compromise. A pure function,
// so that every choice has a unit test.

#include <string>
#include <vector>

#include "heal/examination.hpp"
#include "heal/playbook.hpp"
#include "incident/incident.hpp"

namespace medic::heal {

enum class AfterExamination : std::uint8_t {
    proceed,    ///< the incident's playbook runs (the facts confirm it, or say nothing)
    heal_cause, ///< the facts show the cause: its finding becomes the incident to heal
    escalate,   ///< the facts show why, and nothing safe repairs it: a person, with the evidence
    compromise, ///< signs of an attack: escalated at once, nothing repaired
};

std::string_view to_string(AfterExamination next);

struct ExaminationDecision {
    AfterExamination next = AfterExamination::proceed;
    std::vector<classify::Finding> findings; ///< to record: the causes, or the facts that confirm the incident
    std::string note;                        ///< for escalate and compromise: evidence and advice
};

/// True when medic examines the container before acting on `incident` (or giving up on it):
/// symptoms, incidents without a repair, and the causes whose repair depends on the facts.
bool wants_examination(const incident::Incident& incident, const Playbook* playbook);

ExaminationDecision decide_after_examination(const incident::Incident& incident, const Playbook* playbook,
                                             const Examination& examination, const PlaybookCatalog& playbooks,
                                             Profile profile);

/// "examined: 9 checks passed" or the failed and doubtful checks, one sentence each.
std::string describe_examination(const Examination& examination);

} // namespace medic::heal
