#include "notify/notice.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/views.hpp"

namespace medic::notify {

std::string_view to_string(Preset preset)
{
    switch (preset) {
    case Preset::generic: return "generic";
    case Preset::slack: return "slack";
    case Preset::discord: return "discord";
    case Preset::ntfy: return "ntfy";
    }
    return "generic";
}

std::optional<Preset> parse_preset(std::string_view text)
{
    for (auto preset : {Preset::generic, Preset::slack, Preset::discord, Preset::ntfy}) {
        if (to_string(preset) == text) {
            return preset;
        }
    }
    return std::nullopt;
}

std::string_view to_string(NoticeKind kind)
{
    switch (kind) {
    case NoticeKind::opened: return "opened";
    case NoticeKind::escalated: return "escalated";
    case NoticeKind::resolved: return "resolved";
    }
    return "opened";
}

std::optional<Notice> NoticePolicy::on_change(const store::Change& change, incident::TimeMs now)
{
    if (change.kind != store::Change::Kind::incident || change.incident == nullptr) {
        return std::nullopt;
    }
    const auto& incident = *change.incident;
    const auto previous = m_states.find(incident.id);
    const bool known = previous != m_states.end();
    const auto before = known ? previous->second : incident::IncidentState::open;
    std::optional<NoticeKind> kind;
    if (change.created) {
        if (m_options.on == NotifyOn::all && incident.severity >= classify::Severity::error) {
            kind = NoticeKind::opened;
        }
        if (incident.state == incident::IncidentState::escalated) {
            kind = NoticeKind::escalated;
        }
    } else if (incident.state == incident::IncidentState::escalated && before != incident::IncidentState::escalated) {
        kind = NoticeKind::escalated; // medic cannot heal it (at once, or after trying)
    } else if (incident.state == incident::IncidentState::resolved && before != incident::IncidentState::resolved &&
               m_told.contains(incident.id)) {
        kind = NoticeKind::resolved; // only those a person heard of
    }
    if (incident.state == incident::IncidentState::resolved) {
        m_states.erase(incident.id);
    } else {
        m_states[incident.id] = incident.state;
    }
    if (!kind) {
        return std::nullopt;
    }
    // An escalated incident stops collecting findings, so a service that keeps failing the
    // same way opens a new incident at its next start: that is the same news, not new news.
    const auto subject = std::make_pair(incident.container_name, incident.type);
    const auto last = m_last_told.find(subject);
    const auto repeat_ms = std::chrono::duration_cast<std::chrono::milliseconds>(m_options.repeat_window).count();
    if (*kind != NoticeKind::resolved && !m_told.contains(incident.id) && last != m_last_told.end() &&
        now - last->second < repeat_ms) {
        return std::nullopt;
    }
    if (!allowed(incident.container_name, *kind == NoticeKind::resolved, now)) {
        ++m_held_back[incident.container_name];
        ++m_held_back_total;
        return std::nullopt;
    }
    if (*kind == NoticeKind::resolved) {
        m_told.erase(incident.id);
        m_last_told.erase(subject); // over: the next failure is news again
    } else {
        m_told.insert(incident.id);
        m_last_told[subject] = now;
    }
    Notice notice{*kind, incident, 0};
    notice.held_back = std::exchange(m_held_back[incident.container_name], 0);
    return notice;
}

bool NoticePolicy::allowed(const std::string& container, bool resolution, incident::TimeMs now)
{
    const auto forget_before = [](std::deque<incident::TimeMs>& times, incident::TimeMs cutoff) {
        while (!times.empty() && times.front() <= cutoff) {
            times.pop_front();
        }
    };
    forget_before(m_sent, now - std::chrono::duration_cast<std::chrono::milliseconds>(m_options.global_window).count());
    auto& per_container = m_sent_per_container[container];
    forget_before(per_container,
                  now - std::chrono::duration_cast<std::chrono::milliseconds>(m_options.container_window).count());
    if (static_cast<int>(m_sent.size()) >= m_options.global_limit) {
        return false;
    }
    // The resolution of something a person was told about always follows (within the global limit).
    if (!resolution && static_cast<int>(per_container.size()) >= m_options.container_limit) {
        return false;
    }
    m_sent.push_back(now);
    per_container.push_back(now);
    return true;
}

std::string notice_text(const Notice& notice)
{
    const auto& incident = notice.incident;
    std::string text;
    switch (notice.kind) {
    case NoticeKind::opened:
        text = fmt::format("medic: {} on {}: {} (medic is on it)", classify::to_string(incident.type),
                           incident.container_name, incident.message);
        break;
    case NoticeKind::escalated:
        text = fmt::format("medic needs a person: {} on {}. {}", classify::to_string(incident.type),
                           incident.container_name, incident.note.empty() ? incident.message : incident.note);
        break;
    case NoticeKind::resolved:
        text = fmt::format("medic: {} on {} is resolved. {}", classify::to_string(incident.type),
                           incident.container_name, incident.note);
        break;
    }
    if (notice.held_back > 0) {
        text +=
            fmt::format(" ({} more about {} held back by the rate limit)", notice.held_back, incident.container_name);
    }
    return text;
}

Payload render(const Notice& notice, Preset preset)
{
    const auto text = notice_text(notice);
    const auto dump = [](const nlohmann::json& value) {
        return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    switch (preset) {
    case Preset::slack: return {"application/json", dump({{"text", text}}), {}};
    case Preset::discord: return {"application/json", dump({{"content", text.substr(0, 1900)}}), {}};
    case Preset::ntfy: {
        const bool escalated = notice.kind == NoticeKind::escalated;
        return {"text/plain; charset=utf-8",
                text,
                {{"Title", fmt::format("medic: {} {}", notice.incident.container_name, to_string(notice.kind))},
                 {"Priority", escalated ? "4" : "3"},
                 {"Tags", escalated                             ? "warning"
                          : notice.kind == NoticeKind::resolved ? "white_check_mark"
                                                                : "wrench"}}};
    }
    case Preset::generic: break;
    }
    return {"application/json",
            dump({{"source", "medic"},
                  {"event", to_string(notice.kind)},
                  {"text", text},
                  {"held_back", notice.held_back},
                  {"incident", api::incident_json(notice.incident)}}),
            {}};
}

} // namespace medic::notify
