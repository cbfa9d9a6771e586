#pragma once
// Follows the daemon's events across dropped connections and daemon restarts:
// after a disconnect it reconnects with `since` set to the last event seen and
// drops the events it already delivered, so no event is lost and none repeats.

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "docker/client.hpp"
#include "docker/event_stream.hpp"

namespace medic::docker {

/// Exponential backoff between reconnection attempts.
struct ReconnectPolicy {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds maximum{5000};
};

/// The delay before reconnection attempt `attempt` (0-based): initial * 2^attempt, capped.
std::chrono::milliseconds reconnect_delay(const ReconnectPolicy& policy, int attempt);

/// Formats nanoseconds since the epoch as the API's "seconds.nanoseconds".
std::string to_api_time(std::int64_t time_nano);

class EventFollower {
public:
    using Clock = std::function<std::int64_t()>; ///< nanoseconds since the epoch

    EventFollower(DockerClient& client, EventOptions options, ReconnectPolicy policy = {}, Clock clock = {});

    /// The next event. Disconnects are retried with backoff and never returned;
    /// std::nullopt after stop() or when `until` is reached; an error only when the
    /// daemon rejects the request itself (a bad filter).
    boost::asio::awaitable<Result<std::optional<Event>>> next();

    /// Ends following; a pending next() returns std::nullopt.
    void stop();

    /// Called with each connection failure or drop, for logging.
    void on_disconnect(std::function<void(const Error&)> callback) { m_on_disconnect = std::move(callback); }

    [[nodiscard]] int reconnects() const { return m_reconnects; }
    [[nodiscard]] std::int64_t last_event_time() const { return m_last_time_nano; }

private:
    boost::asio::awaitable<Result<void>> connect();
    bool already_delivered(const Event& event);
    void remember(const Event& event);
    void report(const Error& error);

    DockerClient& m_client;
    EventOptions m_options;
    ReconnectPolicy m_policy;
    Clock m_clock;
    std::unique_ptr<EventStream> m_stream;
    std::int64_t m_last_time_nano = 0;
    std::set<std::string> m_delivered_at_last_time;
    std::function<void(const Error&)> m_on_disconnect;
    int m_reconnects = 0;
    bool m_connected_once = false;
    bool m_stopped = false;
    std::int64_t m_first_connect_time = 0;
    std::unique_ptr<boost::asio::steady_timer> m_timer;
};

} // namespace medic::docker
