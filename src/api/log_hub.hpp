#pragma once
// Live container logs for any number of browsers: one Docker log stream per container
// that someone watches, shared by all of its viewers, classified once per line, and
// closed when the last viewer goes. Each viewer first gets its own backlog (the last N
// lines, or everything after its Last-Event-ID), then the shared live lines, without
// a gap and without a line twice.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "api/sse.hpp"
#include "classify/classifier.hpp"
#include "docker/client.hpp"

namespace medic::api {

/// What one viewer asked for.
struct LogRequest {
    std::string container; ///< name or id, validated
    int tail = 200;
    bool stdout_stream = true;
    bool stderr_stream = true;
    std::int64_t after_nanos = 0; ///< Last-Event-ID: only lines written after this
};

/// The SSE message of one log line; `type`/`rule` when a rule matched it.
std::string format_log_line(const docker::LogLine& line, std::int64_t nanos, const classify::Finding* finding);

class LogHub {
public:
    static constexpr std::size_t k_max_backlog = 10000;

    LogHub(boost::asio::any_io_executor executor, docker::DockerClient& client, classify::Classifier& classifier);
    ~LogHub();

    /// Starts serving one viewer: its backlog, then the live lines, until it goes or the
    /// container's output ends. An unknown container gets an `error` event.
    void open(const std::shared_ptr<SseConnection>& connection, LogRequest request);

    [[nodiscard]] std::size_t viewers() const;
    [[nodiscard]] std::size_t channels() const { return m_channels.size(); }

    /// Ends every channel (shutdown).
    void stop();

private:
    struct Viewer;
    struct Channel;
    std::shared_ptr<Channel> join(const std::string& id, const std::shared_ptr<Viewer>& viewer);
    void leave(const std::shared_ptr<Channel>& channel, const std::shared_ptr<Viewer>& viewer);
    static boost::asio::awaitable<void> serve(LogHub* hub, std::shared_ptr<Viewer> viewer, LogRequest request);
    static boost::asio::awaitable<void> follow(LogHub* hub, std::shared_ptr<Channel> channel);
    /// The message of a line, classified; nullptr for a line without a usable timestamp.
    Message message_of(const docker::LogLine& line, std::int64_t& nanos);

    boost::asio::any_io_executor m_executor;
    docker::DockerClient& m_client;
    classify::Classifier& m_classifier;
    std::map<std::string, std::shared_ptr<Channel>> m_channels; ///< by container id
};

} // namespace medic::api
