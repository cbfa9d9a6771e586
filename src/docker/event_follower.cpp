#include "docker/event_follower.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "common/time_format.hpp"

namespace medic::docker {
namespace {

std::string event_key(const Event& event)
{
    return fmt::format("{}|{}|{}|{}", event.type, event.action, event.actor_id, event.scope);
}

bool is_request_rejected(const Error& error)
{
    return error.kind == ErrorKind::daemon && error.http_status >= 400 && error.http_status < 500;
}

} // namespace

std::chrono::milliseconds reconnect_delay(const ReconnectPolicy& policy, int attempt)
{
    auto delay = policy.initial;
    for (int step = 0; step < attempt && delay < policy.maximum; ++step) {
        delay *= 2;
    }
    return std::min(delay, policy.maximum);
}

std::string to_api_time(std::int64_t time_nano)
{
    return fmt::format("{}.{:09}", time_nano / 1'000'000'000, time_nano % 1'000'000'000);
}

EventFollower::EventFollower(DockerClient& client, EventOptions options, ReconnectPolicy policy, Clock clock)
    : m_client(client), m_options(std::move(options)), m_policy(policy),
      m_clock(clock ? std::move(clock) : Clock(unix_nanos_now))
{
}

void EventFollower::report(const Error& error)
{
    if (m_on_disconnect) {
        m_on_disconnect(error);
    }
}

boost::asio::awaitable<Result<void>> EventFollower::connect()
{
    EventOptions options = m_options;
    if (m_last_time_nano > 0) {
        options.since = to_api_time(m_last_time_nano);
    } else if (m_connected_once && options.since.empty()) {
        // Nothing seen yet: resume from when we first listened.
        options.since = to_api_time(m_first_connect_time);
    }
    if (!m_connected_once) {
        m_first_connect_time = m_clock();
    }
    auto stream = co_await m_client.open_events(options);
    if (!stream) {
        co_return tl::unexpected(stream.error());
    }
    if (m_connected_once) {
        ++m_reconnects;
    }
    m_connected_once = true;
    m_stream = std::move(*stream);
    co_return Result<void>{};
}

bool EventFollower::already_delivered(const Event& event)
{
    return event.time_nano < m_last_time_nano ||
           (event.time_nano == m_last_time_nano && m_delivered_at_last_time.contains(event_key(event)));
}

void EventFollower::remember(const Event& event)
{
    if (event.time_nano > m_last_time_nano) {
        m_last_time_nano = event.time_nano;
        m_delivered_at_last_time.clear();
    }
    m_delivered_at_last_time.insert(event_key(event));
}

void EventFollower::stop()
{
    m_stopped = true;
    if (m_stream) {
        m_stream->close();
    }
    if (m_timer) {
        m_timer->cancel();
    }
}

boost::asio::awaitable<Result<std::optional<Event>>> EventFollower::next()
{
    int attempt = 0;
    while (!m_stopped) {
        if (!m_stream) {
            auto connected = co_await connect();
            if (m_stopped) {
                if (m_stream) {
                    m_stream->close(); // stop() came while the stream was opening: it found nothing to close
                }
                break;
            }
            if (!connected) {
                if (is_request_rejected(connected.error())) {
                    co_return tl::unexpected(connected.error());
                }
                report(connected.error());
                if (!m_timer) {
                    m_timer = std::make_unique<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor);
                }
                m_timer->expires_after(reconnect_delay(m_policy, attempt++));
                co_await m_timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
                continue;
            }
            attempt = 0;
        }
        auto event = co_await m_stream->next();
        if (m_stopped) {
            break;
        }
        if (!event) {
            report(event.error());
            if (event.error().kind != ErrorKind::protocol && event.error().kind != ErrorKind::too_large) {
                m_stream.reset(); // the connection is gone: reconnect from the last event
            }
            continue;
        }
        if (!event->has_value()) {
            m_stream.reset();
            if (!m_options.until.empty()) {
                co_return std::optional<Event>{};
            }
            report(Error{ErrorKind::truncated, 0,
                         fmt::format("event stream from {} ended; reconnecting", m_client.endpoint().to_string())});
            continue;
        }
        if (already_delivered(**event)) {
            continue;
        }
        remember(**event);
        co_return std::move(*event);
    }
    co_return std::optional<Event>{};
}

} // namespace medic::docker
