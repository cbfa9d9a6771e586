#include "api/event_bus.hpp"

#include <algorithm>

namespace medic::api {

void EventBus::publish(std::string_view event, std::string_view data)
{
    const auto id = m_next_id++;
    auto message = std::make_shared<const std::string>(format_event(std::to_string(id), event, data));
    m_kept.emplace_back(id, message);
    if (m_kept.size() > k_kept) {
        m_kept.pop_front();
    }
    std::erase_if(m_clients, [](const auto& client) { return client->closed(); });
    for (const auto& client : m_clients) {
        client->send(message);
    }
}

void EventBus::subscribe(const std::shared_ptr<SseConnection>& client, std::int64_t last_event_id)
{
    if (last_event_id > 0) {
        for (const auto& [id, message] : m_kept) {
            if (id > last_event_id) {
                client->send(message);
            }
        }
    }
    m_clients.push_back(client);
}

void EventBus::unsubscribe(const std::shared_ptr<SseConnection>& client)
{
    std::erase(m_clients, client);
}

} // namespace medic::api
