#pragma once
// What deserves a message, and what the message says. Pure: time is passed in, so
// the rules (one message per incident and state, not one per restart; rate limits per
// container and in all) are tested without a clock or a network.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "incident/incident.hpp"
#include "notify/notify_options.hpp"
#include "store/store.hpp"

namespace medic::notify {

enum class NoticeKind : std::uint8_t { opened, escalated, resolved };

std::string_view to_string(NoticeKind kind);

struct Notice {
    NoticeKind kind = NoticeKind::opened;
    incident::Incident incident{};
    int held_back = 0; ///< notices about this container the rate limit held back since the last one
};

class NoticePolicy {
public:
    explicit NoticePolicy(const NotifyOptions& options) : m_options(options) {}

    /// The notice an incident's change deserves, if any.
    std::optional<Notice> on_change(const store::Change& change, incident::TimeMs now);

    [[nodiscard]] std::int64_t held_back_total() const { return m_held_back_total; }

private:
    bool allowed(const std::string& container, bool resolution, incident::TimeMs now);

    NotifyOptions m_options;
    std::map<std::int64_t, incident::IncidentState> m_states; ///< the last state seen of each live incident
    std::set<std::int64_t> m_told;                            ///< incidents a message went out about
    std::map<std::pair<std::string, classify::ErrorType>, incident::TimeMs> m_last_told; ///< per container and type
    std::map<std::string, std::deque<incident::TimeMs>> m_sent_per_container;
    std::map<std::string, int> m_held_back;
    std::deque<incident::TimeMs> m_sent;
    std::int64_t m_held_back_total = 0;
};

/// One message as a receiver of `preset` expects it.
struct Payload {
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; ///< ntfy's Title, Priority, Tags
};

/// The sentence a person reads.
std::string notice_text(const Notice& notice);
Payload render(const Notice& notice, Preset preset);

} // namespace medic::notify
