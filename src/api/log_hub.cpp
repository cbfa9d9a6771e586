#include "api/log_hub.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/task_group.hpp"
#include "common/time_format.hpp"
#include "docker/log_stream.hpp"

namespace medic::api {

namespace asio = boost::asio;

namespace {

std::string docker_time(std::int64_t nanos)
{
    return fmt::format("{}.{:09}", nanos / 1000000000, nanos % 1000000000);
}

Message event_message(std::string_view event, const nlohmann::json& data)
{
    auto message = format_event({}, event, data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (event == "end" || event == "error") {
        message.insert(0, "retry: 10000\n"); // a browser reconnects to a stopped container every 10 s, not 3
    }
    return std::make_shared<const std::string>(std::move(message));
}

} // namespace

struct LogHub::Viewer {
    std::shared_ptr<SseConnection> connection;
    bool stdout_stream = true;
    bool stderr_stream = true;
    bool holding = true; ///< its backlog is being read: live lines wait
    std::vector<std::pair<std::int64_t, Message>> held;
    std::int64_t last_sent = 0; ///< the time of the last line it got

    [[nodiscard]] bool wants(docker::OutputStream stream) const
    {
        return stream == docker::OutputStream::stderr_stream ? stderr_stream : stdout_stream;
    }
};

struct LogHub::Channel {
    std::string id;
    std::int64_t since = 0; ///< live lines from this time on
    std::vector<std::shared_ptr<Viewer>> viewers;
    std::unique_ptr<docker::LogStream> stream;
    bool ended = false;
};

std::string format_log_line(const docker::LogLine& line, std::int64_t nanos, const classify::Finding* finding)
{
    nlohmann::json data{{"stream", line.stream == docker::OutputStream::stderr_stream ? "stderr" : "stdout"},
                        {"time", nanos / 1000000},
                        {"text", line.text}};
    if (line.truncated) {
        data["truncated"] = true;
    }
    if (finding != nullptr) {
        data["type"] = classify::to_string(finding->type);
        if (finding->rule != nullptr) {
            data["rule"] = finding->rule->id;
        }
    }
    return format_event(std::to_string(nanos), "line",
                        data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

LogHub::LogHub(asio::any_io_executor executor, docker::DockerClient& client, classify::Classifier& classifier)
    : m_executor(std::move(executor)), m_client(client), m_classifier(classifier)
{
}

LogHub::~LogHub() = default;

std::size_t LogHub::viewers() const
{
    std::size_t count = 0;
    for (const auto& [id, channel] : m_channels) {
        count += channel->viewers.size();
    }
    return count;
}

void LogHub::stop()
{
    auto channels = std::move(m_channels);
    for (auto& [id, channel] : channels) {
        channel->ended = true;
        for (auto& viewer : std::exchange(channel->viewers, {})) {
            viewer->connection->close();
        }
        if (channel->stream) {
            channel->stream->close();
        }
    }
}

Message LogHub::message_of(const docker::LogLine& line, std::int64_t& nanos)
{
    const auto time = parse_rfc3339(line.timestamp);
    nanos = time ? unix_nanos(*time) : unix_nanos_now();
    const auto finding = m_classifier.classify(line.text, classify::Channel::log);
    return std::make_shared<const std::string>(format_log_line(line, nanos, finding ? &*finding : nullptr));
}

void LogHub::open(const std::shared_ptr<SseConnection>& connection, LogRequest request)
{
    auto viewer = std::make_shared<Viewer>();
    viewer->connection = connection;
    viewer->stdout_stream = request.stdout_stream;
    viewer->stderr_stream = request.stderr_stream;
    asio::co_spawn(m_executor, serve(this, std::move(viewer), std::move(request)), LogFailure{"live-log viewer"});
}

std::shared_ptr<LogHub::Channel> LogHub::join(const std::string& id, const std::shared_ptr<Viewer>& viewer)
{
    auto& channel = m_channels[id];
    if (!channel) {
        channel = std::make_shared<Channel>();
        channel->id = id;
        channel->since = unix_nanos_now();
        asio::co_spawn(m_executor, follow(this, channel), LogFailure{"live-log stream"});
    }
    channel->viewers.push_back(viewer);
    return channel;
}

void LogHub::leave(const std::shared_ptr<Channel>& channel, const std::shared_ptr<Viewer>& viewer)
{
    std::erase(channel->viewers, viewer);
    if (!channel->viewers.empty() || channel->ended) {
        return;
    }
    // The last viewer went: the Docker log stream is closed, not left running.
    channel->ended = true;
    if (channel->stream) {
        channel->stream->close();
    }
    const auto found = m_channels.find(channel->id);
    if (found != m_channels.end() && found->second == channel) {
        m_channels.erase(found);
    }
}

asio::awaitable<void> LogHub::serve(LogHub* hub, std::shared_ptr<Viewer> viewer, LogRequest request)
{
    auto& connection = *viewer->connection;
    auto details = co_await hub->m_client.inspect_container(request.container);
    if (connection.closed()) {
        co_return;
    }
    if (!details) {
        const auto message = details.error().is_status(404)
                                 ? fmt::format("no container named {}", request.container)
                                 : fmt::format("cannot read {}: {}", request.container, details.error().message);
        connection.send(event_message("error", {{"error", message}}));
        connection.finish();
        co_return;
    }
    auto channel = hub->join(details->id, viewer);
    connection.on_closed([hub, channel, viewer] { hub->leave(channel, viewer); });

    const bool resumed = request.after_nanos > 0;
    if ((request.tail > 0 && !resumed) || (resumed && request.after_nanos < channel->since)) {
        docker::LogOptions options;
        options.timestamps = true;
        options.stdout_stream = request.stdout_stream;
        options.stderr_stream = request.stderr_stream;
        if (request.after_nanos > 0) {
            options.since = docker_time(request.after_nanos);
        } else {
            options.tail = std::to_string(request.tail);
        }
        // Up to the moment the live lines start: what comes later, the channel brings.
        options.until = docker_time(channel->since);
        auto backlog = co_await hub->m_client.open_logs(details->id, options);
        if (backlog) {
            std::size_t sent = 0;
            while (!connection.closed()) {
                auto line = co_await (*backlog)->next();
                if (!line || !*line) {
                    break;
                }
                std::int64_t nanos = 0;
                auto message = hub->message_of(**line, nanos);
                if (nanos <= request.after_nanos) {
                    continue;
                }
                connection.send(std::move(message));
                viewer->last_sent = nanos;
                if (++sent >= k_max_backlog) {
                    (*backlog)->close();
                    break;
                }
            }
        } else if (!connection.closed()) {
            connection.send(event_message("error", {{"error", backlog.error().message}}));
        }
    }
    viewer->holding = false;
    for (auto& [nanos, message] : std::exchange(viewer->held, {})) {
        if (nanos > viewer->last_sent) {
            connection.send(std::move(message));
            viewer->last_sent = nanos;
        }
    }
    // The backlog is out: what follows is live (`medic logs` without -f stops here).
    connection.send(event_message("live", nlohmann::json::object()));
    if (channel->ended && !connection.closed()) {
        connection.send(event_message("end", {{"reason", "the container's output ended"}}));
        connection.finish();
    }
}

asio::awaitable<void> LogHub::follow(LogHub* hub, std::shared_ptr<Channel> channel)
{
    docker::LogOptions options;
    options.follow = true;
    options.timestamps = true;
    options.since = docker_time(channel->since);
    auto stream = co_await hub->m_client.open_logs(channel->id, options);
    std::string reason = "the container's output ended (it stopped)";
    if (!stream) {
        reason = fmt::format("cannot follow the logs: {}", stream.error().message);
    } else if (channel->ended) {
        co_return; // every viewer left while the stream opened
    } else {
        channel->stream = std::move(*stream);
        while (!channel->ended) {
            auto line = co_await channel->stream->next();
            if (!line || !*line) {
                break;
            }
            std::int64_t nanos = 0;
            auto message = hub->message_of(**line, nanos);
            for (const auto& viewer : channel->viewers) {
                if (!viewer->wants((*line)->stream)) {
                    continue;
                }
                if (viewer->holding) {
                    viewer->held.emplace_back(nanos, message);
                } else if (nanos > viewer->last_sent) {
                    viewer->connection->send(message);
                    viewer->last_sent = nanos;
                }
            }
        }
    }
    if (channel->ended) {
        co_return; // closed because its viewers left, or medic stops
    }
    channel->ended = true;
    const auto found = hub->m_channels.find(channel->id);
    if (found != hub->m_channels.end() && found->second == channel) {
        hub->m_channels.erase(found);
    }
    const auto end = event_message("end", {{"reason", reason}});
    for (auto& viewer : std::exchange(channel->viewers, {})) {
        if (!viewer->holding) {
            viewer->connection->send(end);
            viewer->connection->finish();
        }
    }
}

} // namespace medic::api
