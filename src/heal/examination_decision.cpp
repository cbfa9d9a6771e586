#include "heal/examination_decision.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace medic::heal {
namespace {

using classify::ErrorType;

bool has_steps(const Playbook* playbook)
{
    return playbook != nullptr && !playbook->steps.empty();
}

} // namespace

std::string_view to_string(AfterExamination next)
{
    switch (next) {
    case AfterExamination::proceed: return "proceed";
    case AfterExamination::heal_cause: return "heal_cause";
    case AfterExamination::escalate: return "escalate";
    case AfterExamination::compromise: return "compromise";
    }
    return "proceed";
}

bool wants_examination(const incident::Incident& incident, const Playbook* playbook)
{
    if (incident.type == ErrorType::suspected_compromise || incident.container_id == incident::k_host) {
        return false;
    }
    if (!has_steps(playbook) || incident.role != classify::RuleRole::cause) {
        return true;
    }
    switch (incident.type) {
    case ErrorType::permission_denied:
    case ErrorType::volume_mount_error:
    case ErrorType::port_conflict:
    case ErrorType::resource_exhausted:
    case ErrorType::network_error:
    case ErrorType::health_check_failed:
    case ErrorType::crash_loop: return true;
    default: return false; // a name conflict, a damaged file, a lock: the message says all
    }
}

std::string describe_examination(const Examination& examination)
{
    std::vector<std::string> said;
    int passed = 0;
    for (const auto& check : examination.checks) {
        if (check.outcome == CheckOutcome::passed) {
            ++passed;
        } else if (check.outcome == CheckOutcome::failed || check.outcome == CheckOutcome::warning) {
            said.push_back(check.evidence);
        }
    }
    if (said.empty()) {
        return fmt::format("medic examined the container: all {} checks passed ({})", passed, examination.user.detail);
    }
    return fmt::format("medic examined the container ({} checks passed): {}", passed, fmt::join(said, "; "));
}

ExaminationDecision decide_after_examination(const incident::Incident& incident, const Playbook* playbook,
                                             const Examination& examination, const PlaybookCatalog& playbooks,
                                             Profile profile)
{
    ExaminationDecision decision;
    const auto problems = examination.problems();
    if (!problems.empty() && problems.front()->finding->type == ErrorType::suspected_compromise) {
        decision.next = AfterExamination::compromise;
        decision.findings.push_back(*problems.front()->finding);
        decision.note = fmt::format("medic repairs nothing on this container: {}", problems.front()->evidence);
        return decision;
    }
    std::vector<const Check*> repairable;
    std::vector<const Check*> unrepairable;
    for (const auto* problem : problems) {
        const auto& finding = *problem->finding;
        (has_steps(playbooks.find(finding.type, profile, finding.check)) ? repairable : unrepairable)
            .push_back(problem);
    }
    if (incident.role == classify::RuleRole::cause && has_steps(playbook)) {
        // The service named its cause and medic has a repair for it: that goes on, with the
        // facts of the same kind as its evidence.
        for (const auto* problem : problems) {
            if (problem->finding->type == incident.type) {
                decision.findings.push_back(*problem->finding);
            }
        }
        return decision;
    }
    // A symptom (a crash loop, a failing health check, a header) or a cause without a repair:
    // the facts decide.
    if (!repairable.empty()) {
        decision.next = AfterExamination::heal_cause;
        for (const auto* problem : repairable) {
            decision.findings.push_back(*problem->finding);
        }
        return decision;
    }
    if (!unrepairable.empty()) {
        decision.next = AfterExamination::escalate;
        const auto& first = *unrepairable.front()->finding;
        const auto* advice = playbooks.find(first.type, profile, first.check);
        decision.note = describe_examination(examination) +
                        (advice != nullptr && !advice->advice.empty() ? ". What to do: " + advice->advice : "");
        return decision;
    }
    return decision; // nothing found: the incident's own playbook, or its escalation
}

} // namespace medic::heal
