#include "cli/ps_command.hpp"

#include <algorithm>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/daemon_connection.hpp"
#include "common/time_format.hpp"

namespace medic::cli {
namespace {

std::string format_port(const docker::PortMapping& port)
{
    if (port.public_port == 0) {
        return fmt::format("{}/{}", port.private_port, port.protocol);
    }
    return fmt::format("{}:{}->{}/{}", port.ip.empty() ? "0.0.0.0" : port.ip, port.public_port, port.private_port,
                       port.protocol);
}

struct Listing {
    std::vector<docker::ContainerSummary> summaries;
    std::vector<std::optional<docker::ContainerDetails>> details;
};

boost::asio::awaitable<Result<Listing>> list_everything(std::optional<std::string> docker_host)
{
    auto client = co_await connect_to_daemon(std::move(docker_host));
    if (!client) {
        co_return tl::unexpected(client.error());
    }
    auto summaries = co_await (*client)->list_containers();
    if (!summaries) {
        co_return tl::unexpected(summaries.error());
    }
    Listing listing;
    listing.summaries = std::move(*summaries);
    for (const auto& summary : listing.summaries) {
        // A container removed between list and inspect is shown from its list row alone.
        auto details = co_await (*client)->inspect_container(summary.id);
        listing.details.push_back(details ? std::optional(std::move(*details)) : std::nullopt);
    }
    co_return listing;
}

} // namespace

PsRow make_ps_row(const docker::ContainerSummary& summary, const docker::ContainerDetails* details,
                  std::chrono::system_clock::time_point now)
{
    PsRow row;
    row.id = summary.id.substr(0, 12);
    row.name = summary.name();
    row.image = summary.image;
    row.state = summary.state;
    row.health = "-";
    for (const auto& port : summary.ports) {
        row.ports.push_back(format_port(port));
    }
    std::sort(row.ports.begin(), row.ports.end());
    row.ports.erase(std::unique(row.ports.begin(), row.ports.end()), row.ports.end());
    if (details != nullptr) {
        row.state = details->status.empty() ? row.state : details->status;
        row.restarts = details->restart_count;
        if (details->health && !details->health->status.empty()) {
            row.health = details->health->status;
        }
        if (details->running) {
            if (auto started = parse_rfc3339(details->started_at)) {
                row.uptime_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *started).count();
            }
        }
    }
    return row;
}

std::string render_ps_table(const std::vector<PsRow>& rows)
{
    std::vector<std::array<std::string, 7>> cells;
    cells.push_back({"NAME", "IMAGE", "STATE", "HEALTH", "RESTARTS", "UPTIME", "PORTS"});
    for (const auto& row : rows) {
        std::string ports;
        for (const auto& port : row.ports) {
            ports += (ports.empty() ? "" : ", ") + port;
        }
        cells.push_back({row.name, row.image, row.state, row.health, std::to_string(row.restarts),
                         row.uptime_seconds ? format_duration(std::chrono::seconds(*row.uptime_seconds)) : "-",
                         ports.empty() ? "-" : ports});
    }
    std::array<std::size_t, 7> widths{};
    for (const auto& line : cells) {
        for (std::size_t column = 0; column < line.size(); ++column) {
            widths[column] = std::max(widths[column], line[column].size());
        }
    }
    std::string table;
    for (const auto& line : cells) {
        std::string text;
        for (std::size_t column = 0; column < line.size(); ++column) {
            text += column + 1 == line.size() ? line[column] : fmt::format("{:<{}}  ", line[column], widths[column]);
        }
        table += text + "\n";
    }
    return table;
}

std::string render_ps_json(const std::vector<PsRow>& rows)
{
    nlohmann::json array = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json item = {{"id", row.id},       {"name", row.name},         {"image", row.image},
                               {"state", row.state}, {"health", row.health},     {"restarts", row.restarts},
                               {"ports", row.ports}, {"uptime_seconds", nullptr}};
        if (row.uptime_seconds) {
            item["uptime_seconds"] = *row.uptime_seconds;
        }
        array.push_back(std::move(item));
    }
    return array.dump(2) + "\n";
}

int run_ps(const PsOptions& options)
{
    boost::asio::io_context io;
    auto listing = run_blocking(io, list_everything(options.docker_host));
    if (!listing) {
        std::cerr << "medic ps: " << explain_connection_failure(listing.error()) << "\n";
        return 1;
    }
    std::vector<PsRow> rows;
    const auto now = std::chrono::system_clock::now();
    for (std::size_t index = 0; index < listing->summaries.size(); ++index) {
        const auto& details = listing->details[index];
        rows.push_back(make_ps_row(listing->summaries[index], details ? &*details : nullptr, now));
    }
    std::sort(rows.begin(), rows.end(), [](const PsRow& left, const PsRow& right) { return left.name < right.name; });
    std::cout << (options.json ? render_ps_json(rows) : render_ps_table(rows));
    return 0;
}

} // namespace medic::cli
