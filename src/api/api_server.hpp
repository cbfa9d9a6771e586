#pragma once
// medic's HTTP API (REST, Server-Sent Events, Prometheus) and its web UI, on one
// listener (default 127.0.0.1:9470), on the same io_context as everything else.
// Every route but /healthz, the login and the UI's static files needs a token; see
// src/api/openapi.json for the whole API.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "api/auth.hpp"
#include "common/result.hpp"
#include "store/store.hpp"

namespace medic::docker {
class DockerClient;
}
namespace medic::incident {
class IncidentTracker;
}
namespace medic::heal {
class HealEngine;
}
namespace medic::classify {
class Classifier;
}

namespace medic::api {

/// What the API reads and acts on; all owned by `medic run`.
struct ApiDependencies {
    docker::DockerClient& client;
    store::Store& store;
    incident::IncidentTracker& tracker;
    classify::Classifier& classifier;
    heal::HealEngine* engine = nullptr;                 ///< null: POST .../heal answers 503
    std::function<std::size_t()> followed_containers{}; ///< for /metrics
    std::string docker_version{};
    std::string docker_api_version{};
};

struct ServerOptions {
    std::string listen = "127.0.0.1:9470"; ///< host:port; port 0 picks a free one
    Tokens tokens{};
    std::chrono::seconds keep_alive{15};      ///< SSE comment when nothing else was sent
    std::chrono::seconds request_timeout{30}; ///< to send a whole request, or to read a reply
    std::chrono::seconds idle_timeout{60};    ///< a kept-alive connection with no request
    std::size_t max_body_bytes = 64U * 1024U; ///< larger bodies get 413
    std::size_t max_header_bytes = 16U * 1024U;
    std::size_t max_connections = 4096;             ///< more are refused with 503
    std::chrono::milliseconds health_refresh{2000}; ///< how old the container list may get
};

class ApiServer {
public:
    ApiServer(boost::asio::any_io_executor executor, ApiDependencies dependencies, ServerOptions options);
    ~ApiServer();

    /// Binds the listener; answers the port it listens on.
    Result<std::uint16_t> listen();

    /// Serves until stop(); then every connection is closed.
    boost::asio::awaitable<void> run();
    void stop();

    /// Every route, as "METHOD /path/{name}": the OpenAPI document must name each.
    static std::vector<std::string> routes();

    /// The history changed: counted for /metrics, sent to /api/events/stream.
    void on_change(const store::Change& change);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace medic::api
