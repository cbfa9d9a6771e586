#include "incident/incident.hpp"

namespace medic::incident {

std::string_view to_string(IncidentState state)
{
    switch (state) {
    case IncidentState::open: return "open";
    case IncidentState::healing: return "healing";
    case IncidentState::resolved: return "resolved";
    case IncidentState::escalated: return "escalated";
    }
    return "open";
}

std::optional<IncidentState> parse_incident_state(std::string_view text)
{
    for (auto state :
         {IncidentState::open, IncidentState::healing, IncidentState::resolved, IncidentState::escalated}) {
        if (to_string(state) == text) {
            return state;
        }
    }
    return std::nullopt;
}

} // namespace medic::incident
