#pragma once
// Incidents and actions as they are written, for GET /api/events/stream: each event
// gets an increasing id, the last ones are kept so a client that reconnects with
// Last-Event-ID misses nothing that is still kept.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "api/sse.hpp"

namespace medic::api {

class EventBus {
public:
    static constexpr std::size_t k_kept = 1000;

    /// Sends `data` (one line of JSON) as `event` to every subscriber.
    void publish(std::string_view event, std::string_view data);

    /// Adds a client; with `last_event_id` > 0 it first gets the kept events after it.
    void subscribe(const std::shared_ptr<SseConnection>& client, std::int64_t last_event_id);
    void unsubscribe(const std::shared_ptr<SseConnection>& client);

    [[nodiscard]] std::size_t subscribers() const { return m_clients.size(); }
    [[nodiscard]] bool empty() const { return m_clients.empty(); }

private:
    std::int64_t m_next_id = 1;
    std::deque<std::pair<std::int64_t, Message>> m_kept;
    std::vector<std::shared_ptr<SseConnection>> m_clients;
};

} // namespace medic::api
