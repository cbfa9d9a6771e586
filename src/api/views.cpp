#include "api/views.hpp"

#include "heal/profile.hpp"

namespace medic::api {

nlohmann::json incident_json(const incident::Incident& incident)
{
    return {{"id", incident.id},
            {"container_id", incident.container_id},
            {"container", incident.container_name},
            {"type", classify::to_string(incident.type)},
            {"severity", classify::to_string(incident.severity)},
            {"rule", incident.rule},
            {"state", incident::to_string(incident.state)},
            {"count", incident.count},
            {"first_seen", incident.first_seen},
            {"last_seen", incident.last_seen},
            {"resolved_at", incident.resolved_at},
            {"signal_time", incident.signal_time},
            {"message", incident.message},
            {"context", incident.context},
            {"lines_before", incident.lines_before},
            {"lines_after", incident.lines_after},
            {"note", incident.note},
            {"role", classify::to_string(incident.role)},
            {"evidence", incident.evidence},
            {"decided", incident.decided}};
}

nlohmann::json examination_json(const store::ExaminationRecord& record)
{
    auto body = nlohmann::json::parse(record.body, nullptr, false);
    if (!body.is_object()) {
        body = nlohmann::json::object(); // written by medic, so never: but a stored text is not trusted
    }
    body["id"] = record.id;
    return body;
}

nlohmann::json finding_json(const store::FindingRecord& finding)
{
    return {{"id", finding.id},
            {"incident_id", finding.incident_id},
            {"container_id", finding.container_id},
            {"container", finding.container_name},
            {"type", classify::to_string(finding.type)},
            {"rule", finding.rule},
            {"severity", classify::to_string(finding.severity)},
            {"channel", classify::to_string(finding.channel)},
            {"context", finding.context},
            {"text", finding.text},
            {"seen_at", finding.seen_at},
            {"signal_time", finding.signal_time}};
}

nlohmann::json action_json(const store::ActionRecord& action)
{
    return {{"id", action.id},
            {"incident_id", action.incident_id},
            {"container_id", action.container_id},
            {"container", action.container_name},
            {"action", action.action},
            {"safety", action.safety},
            {"state", store::to_string(action.state)},
            {"dry_run", action.dry_run},
            {"step", action.step},
            {"attempt", action.attempt},
            {"started_at", action.started_at},
            {"ended_at", action.ended_at},
            {"detail", action.detail},
            {"before", action.before},
            {"after", action.after}};
}

std::string health_of_status(std::string_view status)
{
    if (status.find("(unhealthy)") != std::string_view::npos) {
        return "unhealthy";
    }
    if (status.find("(healthy)") != std::string_view::npos) {
        return "healthy";
    }
    if (status.find("(health: starting)") != std::string_view::npos) {
        return "starting";
    }
    return "none";
}

namespace {

nlohmann::json ports_json(const std::vector<docker::PortMapping>& ports)
{
    auto list = nlohmann::json::array();
    for (const auto& port : ports) {
        list.push_back({{"ip", port.ip},
                        {"private_port", port.private_port},
                        {"public_port", port.public_port},
                        {"protocol", port.protocol}});
    }
    return list;
}

nlohmann::json last_action_json(const store::ActionRecord* last_action)
{
    return last_action != nullptr ? action_json(*last_action) : nlohmann::json(nullptr);
}

} // namespace

nlohmann::json container_json(const docker::ContainerSummary& container, int open_incidents,
                              const store::ActionRecord* last_action)
{
    docker::ContainerDetails as_details;
    as_details.image = container.image;
    as_details.labels = container.labels;
    as_details.ports = container.ports;
    return {{"id", container.id},
            {"name", container.names.empty() ? container.id.substr(0, 12) : container.names.front()},
            {"image", container.image},
            {"state", container.state},
            {"status", container.status},
            {"health", health_of_status(container.status)},
            {"profile", heal::to_string(heal::detect_profile(as_details))},
            {"open_incidents", open_incidents},
            {"last_action", last_action_json(last_action)},
            {"created", container.created * 1000}};
}

nlohmann::json container_details_json(const docker::ContainerDetails& container, const docker::ContainerSummary* listed,
                                      int open_incidents, const store::ActionRecord* last_action)
{
    auto health_log = nlohmann::json::array();
    if (container.health) {
        for (const auto& run : container.health->runs) {
            health_log.push_back({{"exit_code", run.exit_code}, {"end", run.end}, {"output", run.output}});
        }
    }
    return {{"id", container.id},
            {"name", container.name},
            {"image", container.image},
            {"state", container.status},
            {"status", listed != nullptr ? listed->status : container.status},
            {"created", listed != nullptr ? listed->created * 1000 : 0},
            {"health", container.health && !container.health->status.empty() ? container.health->status : "none"},
            {"profile", heal::to_string(heal::detect_profile(container))},
            {"open_incidents", open_incidents},
            {"last_action", last_action_json(last_action)},
            {"started_at", container.started_at},
            {"finished_at", container.finished_at},
            {"exit_code", container.exit_code},
            {"restart_count", container.restart_count},
            {"restart_policy", container.restart_policy},
            {"ports", ports_json(container.ports)},
            {"labels", container.labels},
            {"networks", container.networks},
            {"health_log", health_log}};
}

} // namespace medic::api
