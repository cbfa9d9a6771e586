#include "cli/incidents_command.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/views.hpp"
#include "cli/api_client.hpp"
#include "cli/history.hpp"
#include "common/time_format.hpp"
#include "store/store.hpp"

namespace medic::cli {
namespace {

incident::Incident from_api(const nlohmann::json& item)
{
    incident::Incident incident;
    incident.id = item.value("id", std::int64_t{0});
    incident.container_id = item.value("container_id", "");
    incident.container_name = item.value("container", "");
    incident.type = classify::parse_error_type(item.value("type", "")).value_or(incident.type);
    incident.severity = classify::parse_severity(item.value("severity", "")).value_or(incident.severity);
    incident.rule = item.value("rule", "");
    incident.state = incident::parse_incident_state(item.value("state", "")).value_or(incident.state);
    incident.count = item.value("count", 0);
    incident.first_seen = item.value("first_seen", std::int64_t{0});
    incident.last_seen = item.value("last_seen", std::int64_t{0});
    incident.resolved_at = item.value("resolved_at", std::int64_t{0});
    incident.signal_time = item.value("signal_time", std::int64_t{0});
    if (item.contains("context") && item["context"].is_object()) {
        incident.context = item["context"].get<classify::Context>();
    }
    incident.message = item.value("message", "");
    incident.lines_before = item.value("lines_before", std::vector<std::string>{});
    incident.lines_after = item.value("lines_after", std::vector<std::string>{});
    incident.note = item.value("note", "");
    return incident;
}

/// The incidents from the running medic; std::nullopt when it does not answer (or not to this token).
std::optional<std::vector<incident::Incident>> incidents_from_daemon(const IncidentsOptions& options)
{
    auto client = ApiClient::connect({options.api_address, options.data_dir});
    if (!client) {
        return std::nullopt;
    }
    auto body = client->get(
        fmt::format("/api/incidents?state={}&per_page={}", options.open_only ? "open" : "all", options.limit));
    if (!body) {
        return std::nullopt;
    }
    const auto parsed = nlohmann::json::parse(*body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("incidents")) {
        return std::nullopt;
    }
    std::vector<incident::Incident> incidents;
    for (const auto& item : parsed["incidents"]) {
        incidents.push_back(from_api(item));
    }
    return incidents;
}

} // namespace

int run_incidents(const IncidentsOptions& options)
{
    auto incidents = incidents_from_daemon(options);
    if (!incidents) {
        // medic run is not running (or is another one): its history file tells the same.
        auto store = open_history(options.data_dir, "incidents");
        if (!store) {
            return 1;
        }
        store::IncidentQuery query;
        query.open_only = options.open_only;
        query.page.per_page = options.limit;
        incidents = store->incidents(query);
    }
    if (options.json) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& incident : *incidents) {
            array.push_back(api::incident_json(incident));
        }
        std::cout << array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cout << fmt::format("{:<5} {:<24} {:<28} {:<9} {:>5}  {:<19}  {}\n", "ID", "TYPE", "CONTAINER", "STATE",
                             "COUNT", "LAST SEEN (UTC)", "MESSAGE");
    for (const auto& incident : *incidents) {
        std::cout << fmt::format("{:<5} {:<24} {:<28} {:<9} {:>5}  {:<19}  {}\n", incident.id,
                                 classify::to_string(incident.type), incident.container_name,
                                 incident::to_string(incident.state), incident.count, format_time(incident.last_seen),
                                 incident.message.substr(0, 120));
        if (!incident.note.empty() && incident.state != incident::IncidentState::open) {
            std::cout << fmt::format("{:<5} {}\n", "", incident.note.substr(0, 400));
        }
    }
    return 0;
}

} // namespace medic::cli
