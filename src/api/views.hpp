#pragma once
// medic's records as the API's JSON objects (see openapi.json); `medic incidents --json`
// and `medic actions --json` print the same objects.

#include <optional>

#include <nlohmann/json.hpp>

#include "docker/types.hpp"
#include "incident/incident.hpp"
#include "store/store.hpp"

namespace medic::api {

nlohmann::json incident_json(const incident::Incident& incident);
/// A stored examination (heal/examination.hpp's JSON) with its id.
nlohmann::json examination_json(const store::ExaminationRecord& record);
nlohmann::json finding_json(const store::FindingRecord& finding);
nlohmann::json action_json(const store::ActionRecord& action);

/// "healthy", "unhealthy", "starting" or "none", from the status text of a container list.
std::string health_of_status(std::string_view status);

/// A container as the lists show it.
nlohmann::json container_json(const docker::ContainerSummary& container, int open_incidents,
                              const store::ActionRecord* last_action);

/// A container's page: the list fields and its details; `listed` (its entry in the
/// container list, when known) gives the human status and the creation time.
nlohmann::json container_details_json(const docker::ContainerDetails& container, const docker::ContainerSummary* listed,
                                      int open_incidents, const store::ActionRecord* last_action);

} // namespace medic::api
