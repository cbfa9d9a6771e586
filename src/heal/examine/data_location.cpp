// data_location: where the service keeps its data. A Redis whose dir is /etc, an .ssh
// folder or a cron folder shows the trace of the known attack on a password-less Redis:
// medic calls a person and changes nothing. (A failed save into such a place, seen in
// the log, is screened the same way when it becomes a finding: classify/attack_location.)

#include <fmt/format.h>

#include "classify/attack_location.hpp"
#include "heal/actions/action_support.hpp"
#include "heal/examine/checks.hpp"

namespace medic::heal {

std::vector<Check> check_data_location(const ExamineContext& context)
{
    std::vector<std::string> places;
    if (context.profile == Profile::redis) {
        places.push_back(redis_data_dir(context.container));
    }
    std::vector<Check> checks;
    for (const auto& place : places) {
        auto reason = classify::attack_location(place, "");
        if (!reason) {
            continue;
        }
        Check check;
        check.kind = CheckKind::data_location;
        check.subject = place;
        check.outcome = CheckOutcome::failed;
        check.evidence = *reason;
        check.finding = check_finding(classify::ErrorType::suspected_compromise, "check-data-location", *reason,
                                      {{"path", place}}, false);
        checks.push_back(std::move(check));
    }
    if (checks.empty() && !places.empty()) {
        Check check;
        check.kind = CheckKind::data_location;
        check.subject = places.front();
        check.outcome = CheckOutcome::passed;
        check.evidence = fmt::format("it keeps its data in {}, where services keep data", places.front());
        checks.push_back(std::move(check));
    }
    return checks;
}

} // namespace medic::heal
