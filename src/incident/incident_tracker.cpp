#include "incident/incident_tracker.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "classify/attack_location.hpp"

namespace medic::incident {

void IncidentTracker::on_log_line(const ContainerRef& container, const std::string& text)
{
    // Lines after a match go to the incidents that still want them.
    for (auto& [key, incident] : m_open) {
        if (key.container_id == container.id && incident.lines_after.size() < m_options.context_lines &&
            text != incident.message) {
            incident.lines_after.push_back(text);
            m_store.update_incident(incident);
        }
    }
    auto& recent = m_recent_lines[container.id];
    recent.push_back(text);
    while (recent.size() > m_options.context_lines + 1) {
        recent.pop_front();
    }
}

void IncidentTracker::add_evidence(Incident& incident, const classify::Finding& finding) const
{
    // A finding with a better role decides from now on (a cause joining a symptom's incident).
    const bool better =
        static_cast<int>(finding.role) > static_cast<int>(incident.role) && finding.role != classify::RuleRole::context;
    const auto& lines = finding.evidence.empty() ? std::vector<std::string>{finding.text} : finding.evidence;
    const auto decided_text = lines[std::min(finding.evidence.empty() ? 0 : finding.decided, lines.size() - 1)];
    const bool known =
        std::find(incident.evidence.begin(), incident.evidence.end(), decided_text) != incident.evidence.end();
    if (known && !better) {
        return; // the same block again (a crash loop prints it every run)
    }
    if (incident.evidence.size() + lines.size() > m_options.max_evidence_lines && !better) {
        return;
    }
    const auto offset = incident.evidence.size();
    incident.evidence.insert(incident.evidence.end(), lines.begin(), lines.end());
    if (better) {
        incident.role = finding.role;
        incident.decided = offset + (finding.evidence.empty() ? 0 : finding.decided);
        incident.message = finding.text;
        for (const auto& [name, value] : finding.context) {
            incident.context[name] = value; // the cause's values replace the symptom's
        }
    }
    while (incident.evidence.size() > m_options.max_evidence_lines && incident.decided > 0) {
        incident.evidence.erase(incident.evidence.begin());
        --incident.decided;
    }
}

Incident IncidentTracker::on_finding(const ContainerRef& container, const classify::Finding& original,
                                     classify::Channel channel, TimeMs now, TimeMs signal_time)
{
    // A failed write into /etc or ~/.ssh is the trace of an attack: its own kind of incident.
    classify::Finding finding = original;
    classify::screen_for_attack(finding);
    const Key key{container.id, finding.type};
    auto found = m_open.find(key);
    if (found != m_open.end() && now - found->second.last_seen > m_options.window) {
        // Quiet for a whole window: that episode is over, and this finding starts a new one.
        found->second.state = IncidentState::resolved;
        found->second.resolved_at = found->second.last_seen + m_options.window;
        m_store.update_incident(found->second);
        m_open.erase(found);
        found = m_open.end();
    }
    if (found == m_open.end()) {
        Incident incident;
        incident.container_id = container.id;
        incident.container_name = container.name;
        incident.type = finding.type;
        incident.severity = finding.severity;
        incident.rule = finding.source_id();
        incident.count = 1;
        incident.first_seen = now;
        incident.last_seen = now;
        incident.signal_time = signal_time;
        incident.context = finding.context;
        incident.message = finding.text;
        incident.role = finding.role;
        incident.evidence = finding.evidence.empty() ? std::vector<std::string>{finding.text} : finding.evidence;
        incident.decided = finding.evidence.empty() ? 0 : finding.decided;
        if (auto recent = m_recent_lines.find(container.id); recent != m_recent_lines.end()) {
            for (const auto& line : recent->second) {
                if (line != finding.text) {
                    incident.lines_before.push_back(line);
                }
            }
        }
        incident.id = m_store.insert_incident(incident);
        found = m_open.emplace(key, std::move(incident)).first;
    } else {
        auto& incident = found->second;
        ++incident.count;
        incident.last_seen = now;
        incident.severity = std::max(incident.severity, finding.severity);
        for (const auto& [name, value] : finding.context) {
            incident.context.emplace(name, value); // the first value stays
        }
        add_evidence(incident, finding);
        m_store.update_incident(incident);
    }
    store::FindingRecord record;
    record.incident_id = found->second.id;
    record.container_id = container.id;
    record.container_name = container.name;
    record.type = finding.type;
    record.rule = finding.source_id();
    record.severity = finding.severity;
    record.channel = channel;
    record.context = finding.context;
    record.text = finding.text;
    record.seen_at = now;
    record.signal_time = signal_time;
    m_store.insert_finding(record);
    return found->second;
}

std::optional<Incident> IncidentTracker::on_exit(const ContainerRef& container, int exit_code, TimeMs now)
{
    auto& exits = m_exits[container.id];
    exits.push_back(now);
    while (!exits.empty() && now - exits.front() > m_options.crash_loop_window) {
        exits.pop_front();
    }
    if (static_cast<int>(exits.size()) < m_options.crash_loop_exits) {
        return std::nullopt;
    }
    classify::Finding finding;
    finding.type = classify::ErrorType::crash_loop;
    finding.severity = classify::Severity::critical;
    finding.role = classify::RuleRole::symptom; // exits say that it fails, not why
    finding.check = "crash-loop";
    finding.context = {{"exit_code", std::to_string(exit_code)}, {"exits", std::to_string(exits.size())}};
    finding.text = fmt::format("{} exited {} times within {} s (last exit code {})", container.name, exits.size(),
                               m_options.crash_loop_window / 1000, exit_code);
    return on_finding(container, finding, classify::Channel::event, now, now);
}

std::vector<Incident> IncidentTracker::on_healthy(const ContainerRef& container, TimeMs now)
{
    std::vector<Incident> resolved;
    for (auto entry = m_open.begin(); entry != m_open.end();) {
        if (entry->first.container_id != container.id ||
            entry->first.type == classify::ErrorType::suspected_compromise) {
            ++entry;
            continue;
        }
        entry->second.state = IncidentState::resolved;
        entry->second.resolved_at = now;
        m_store.update_incident(entry->second);
        resolved.push_back(entry->second);
        entry = m_open.erase(entry);
    }
    m_exits.erase(container.id);
    return resolved;
}

std::optional<Incident> IncidentTracker::find(std::int64_t id) const
{
    for (const auto& [key, incident] : m_open) {
        if (incident.id == id) {
            return incident;
        }
    }
    return std::nullopt;
}

void IncidentTracker::set_state(std::int64_t id, IncidentState state, TimeMs now, const std::string& note,
                                bool keep_tracking)
{
    for (auto entry = m_open.begin(); entry != m_open.end(); ++entry) {
        auto& incident = entry->second;
        if (incident.id != id) {
            continue;
        }
        incident.state = state;
        incident.note = note;
        if (state == IncidentState::resolved) {
            incident.resolved_at = now;
        }
        m_store.update_incident(incident);
        if (state == IncidentState::resolved || (state == IncidentState::escalated && !keep_tracking)) {
            m_open.erase(entry);
        }
        return;
    }
    // Not tracked any more (resolved by a quiet window meanwhile): the store still learns.
    if (auto stored = m_store.incident_by_id(id)) {
        stored->state = state;
        stored->note = note;
        if (state == IncidentState::resolved) {
            stored->resolved_at = now;
        }
        m_store.update_incident(*stored);
    }
}

std::vector<Incident> IncidentTracker::resolve_container(const ContainerRef& container, TimeMs now,
                                                         const std::string& note)
{
    std::vector<Incident> resolved;
    for (auto entry = m_open.begin(); entry != m_open.end();) {
        auto& incident = entry->second;
        if ((incident.container_id != container.id && incident.container_name != container.name) ||
            incident.type == classify::ErrorType::suspected_compromise) {
            ++entry;
            continue;
        }
        incident.state = IncidentState::resolved;
        incident.resolved_at = now;
        if (incident.note.empty() || !note.empty()) {
            incident.note = note;
        }
        m_store.update_incident(incident);
        resolved.push_back(incident);
        entry = m_open.erase(entry);
    }
    m_exits.erase(container.id);
    return resolved;
}

void IncidentTracker::adopt(const Incident& incident)
{
    m_open[Key{incident.container_id, incident.type}] = incident;
}

std::optional<Incident> IncidentTracker::tracked(const std::string& container_id, classify::ErrorType type) const
{
    auto found = m_open.find(Key{container_id, type});
    return found == m_open.end() ? std::nullopt : std::optional<Incident>(found->second);
}

bool IncidentTracker::has_open_incidents(const std::string& container_id) const
{
    // Keys sort by container first: the first key at or after (id, lowest type) tells.
    auto found = m_open.lower_bound(Key{container_id, classify::ErrorType{}});
    return found != m_open.end() && found->first.container_id == container_id;
}

std::vector<Incident> IncidentTracker::open_incidents() const
{
    std::vector<Incident> incidents;
    for (const auto& [key, incident] : m_open) {
        incidents.push_back(incident);
    }
    return incidents;
}

} // namespace medic::incident
