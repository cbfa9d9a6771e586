#include "api/metrics.hpp"

#include <fmt/format.h>

namespace medic::api {

void Histogram::observe(double seconds)
{
    for (std::size_t index = 0; index < m_bounds.size(); ++index) {
        if (seconds <= m_bounds[index]) {
            ++m_counts[index];
        }
    }
    ++m_count;
    m_sum += seconds;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view help) const
{
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    for (std::size_t index = 0; index < m_bounds.size(); ++index) {
        out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, m_bounds[index], m_counts[index]);
    }
    out +=
        fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, m_count, name, m_sum, name, m_count);
}

std::string escape_label(std::string_view value)
{
    std::string escaped;
    for (char character : value) {
        if (character == '\\' || character == '"') {
            escaped += '\\';
            escaped += character;
        } else if (character == '\n') {
            escaped += "\\n";
        } else {
            escaped += character;
        }
    }
    return escaped;
}

Metrics::Metrics()
    : m_detection({0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}),
      m_recovery({1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600})
{
}

void Metrics::on_change(const store::Change& change)
{
    if (change.kind == store::Change::Kind::incident && change.incident != nullptr) {
        const auto& incident = *change.incident;
        if (change.created) {
            ++m_incidents[std::string(classify::to_string(incident.type))];
            if (incident.signal_time > 0 && incident.first_seen >= incident.signal_time) {
                m_detection.observe(static_cast<double>(incident.first_seen - incident.signal_time) / 1000.0);
            }
        } else if (incident.state == incident::IncidentState::resolved && incident.resolved_at >= incident.first_seen &&
                   incident.resolved_at > 0) {
            m_recovery.observe(static_cast<double>(incident.resolved_at - incident.first_seen) / 1000.0);
        }
        return;
    }
    if (change.kind == store::Change::Kind::action && change.action != nullptr && !change.created) {
        const auto& action = *change.action;
        if (action.state != store::ActionState::running && action.state != store::ActionState::planned) {
            ++m_actions[{action.action, std::string(store::to_string(action.state))}];
        }
    }
}

std::string Metrics::render() const
{
    std::string out;
    out += "# HELP medic_incidents_total Incidents opened, by error type.\n# TYPE medic_incidents_total counter\n";
    for (const auto& [type, count] : m_incidents) {
        out += fmt::format("medic_incidents_total{{type=\"{}\"}} {}\n", escape_label(type), count);
    }
    out += "# HELP medic_actions_total Recovery actions finished, by action and result.\n"
           "# TYPE medic_actions_total counter\n";
    for (const auto& [key, count] : m_actions) {
        out += fmt::format("medic_actions_total{{action=\"{}\",result=\"{}\"}} {}\n", escape_label(key.first),
                           escape_label(key.second), count);
    }
    m_detection.render(out, "medic_detection_latency_seconds",
                       "From the moment a failing line was written to the incident recorded.");
    m_recovery.render(out, "medic_recovery_latency_seconds", "From an incident's first finding to its resolution.");
    out += "# HELP medic_http_requests_total API requests answered, by status.\n"
           "# TYPE medic_http_requests_total counter\n";
    for (const auto& [status, count] : m_requests) {
        out += fmt::format("medic_http_requests_total{{code=\"{}\"}} {}\n", status, count);
    }
    for (const auto& gauge : m_gauges) {
        out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", gauge.name, gauge.help, gauge.name, gauge.name,
                           gauge.read());
    }
    return out;
}

} // namespace medic::api
