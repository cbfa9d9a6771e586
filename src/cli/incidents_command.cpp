#include "cli/incidents_command.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/history.hpp"
#include "common/time_format.hpp"
#include "store/store.hpp"

namespace medic::cli {
namespace {

nlohmann::json to_json(const incident::Incident& incident)
{
    return {{"id", incident.id},
            {"container", incident.container_name},
            {"container_id", incident.container_id},
            {"type", classify::to_string(incident.type)},
            {"severity", classify::to_string(incident.severity)},
            {"rule", incident.rule},
            {"state", incident::to_string(incident.state)},
            {"count", incident.count},
            {"first_seen_ms", incident.first_seen},
            {"last_seen_ms", incident.last_seen},
            {"resolved_at_ms", incident.resolved_at},
            {"detect_ms", incident.signal_time > 0 ? incident.first_seen - incident.signal_time : 0},
            {"context", incident.context},
            {"message", incident.message},
            {"lines_before", incident.lines_before},
            {"lines_after", incident.lines_after},
            {"note", incident.note}};
}

} // namespace

int run_incidents(const IncidentsOptions& options)
{
    auto store = open_history(options.data_dir, "incidents");
    if (!store) {
        return 1;
    }
    store::IncidentQuery query;
    query.open_only = options.open_only;
    query.page.per_page = options.limit;
    const auto incidents = store->incidents(query);
    if (options.json) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& incident : incidents) {
            array.push_back(to_json(incident));
        }
        std::cout << array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cout << fmt::format("{:<5} {:<24} {:<28} {:<9} {:>5}  {:<19}  {}\n", "ID", "TYPE", "CONTAINER", "STATE",
                             "COUNT", "LAST SEEN (UTC)", "MESSAGE");
    for (const auto& incident : incidents) {
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
