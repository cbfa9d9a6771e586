#pragma once
// A scripted stand-in for the Docker daemon on a unix socket, for the faults a real
// daemon cannot be made to produce on demand: a stream cut mid-frame, garbage,
// absurd frame sizes, a daemon that never answers.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace medic::testing {

class FakeDaemon {
public:
    /// Handles one connection: `request` is the request head (and body); write the
    /// answer to `socket`. Returning closes the connection.
    using Script = std::function<void(int socket, const std::string& request, const std::atomic<bool>& stopping)>;

    explicit FakeDaemon(Script script);
    ~FakeDaemon();
    FakeDaemon(const FakeDaemon&) = delete;
    FakeDaemon& operator=(const FakeDaemon&) = delete;

    [[nodiscard]] std::string url() const { return "unix://" + m_path; }
    /// The request lines received so far ("GET /v1.51/... HTTP/1.1").
    [[nodiscard]] std::vector<std::string> request_lines() const;

    /// Writes all of `bytes`; false when the peer went away.
    static bool write_all(int socket, std::string_view bytes);
    /// An 8-byte multiplexed frame header and payload.
    static std::string frame(int stream, std::string_view payload);
    /// A response head that is followed by a body read until the connection closes.
    static std::string streaming_head(std::string_view content_type);

private:
    void serve();

    Script m_script;
    std::string m_path;
    int m_listener = -1;
    std::atomic<bool> m_stopping{false};
    mutable std::mutex m_mutex;
    std::vector<std::string> m_request_lines;
    std::vector<std::thread> m_workers;
    std::thread m_thread;
};

} // namespace medic::testing
