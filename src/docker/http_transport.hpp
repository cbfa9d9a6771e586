#pragma once
// HTTP/1.1 to the Docker daemon over a unix socket, TCP or TLS. Beast stays inside
// http_transport.cpp: this header is cheap to include.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/result.hpp"
#include "docker/endpoint.hpp"

namespace medic::docker {

enum class HttpMethod { get, post, put, delete_, head };

struct HttpRequest {
    HttpMethod method = HttpMethod::get;
    std::string target; ///< path and query, e.g. /v1.41/containers/json?all=1
    std::string body;
    std::string content_type = "application/json";
    std::chrono::milliseconds timeout{30000};                   ///< for the whole exchange (streams: until the header)
    std::vector<std::pair<std::string, std::string>> headers{}; ///< sent as given, after Host and User-Agent
};

struct HttpResponse {
    unsigned status = 0;
    std::string content_type;
    std::string api_version; ///< the Api-Version header, when the daemon sent one
    std::string body;
    std::string reason;                           ///< the status line's phrase, e.g. Service Unavailable
    std::map<std::string, std::string> headers{}; ///< every header (names in lower case), for HEAD requests only
};

/// Limits that keep a misbehaving daemon from exhausting memory.
struct TransportLimits {
    std::size_t max_body_size = 64U * 1024U * 1024U;
    std::size_t max_header_size = 64U * 1024U;
    std::size_t read_chunk_size = 16U * 1024U; ///< per open stream: medic keeps one per followed container
};

/// The body of a response that is read as it arrives (logs, events, exec output).
class ResponseStream {
public:
    virtual ~ResponseStream() = default;

    [[nodiscard]] virtual unsigned status() const = 0;
    [[nodiscard]] virtual const std::string& content_type() const = 0;

    /// The next bytes of the body, valid until the next call; an empty view at the
    /// end of the body. `idle_timeout` of zero waits as long as it takes.
    virtual boost::asio::awaitable<Result<std::string_view>> read_some(std::chrono::milliseconds idle_timeout) = 0;

    /// Aborts a pending read_some (it completes with ErrorKind::cancelled) and closes the connection.
    virtual void close() = 0;
};

/// Opens one connection per request; cheap on a unix socket and lets calls run
/// concurrently. All operations complete on the given executor. medic's one HTTP
/// client: the Docker daemon's, the notifier's for webhooks, and the http probe's.
class HttpTransport {
public:
    virtual ~HttpTransport() = default;

    /// Fails when TLS files cannot be loaded. A TLS endpoint that verifies with no CA
    /// file trusts the system's certificate authorities; without a client certificate
    /// file none is sent. `peer` names the other end in errors ("cannot connect to
    /// the Docker daemon at ...").
    static Result<std::shared_ptr<HttpTransport>> create(boost::asio::any_io_executor executor, Endpoint endpoint,
                                                         TransportLimits limits = {},
                                                         std::string peer = "the Docker daemon");

    [[nodiscard]] virtual const Endpoint& endpoint() const = 0;

    /// Sends `request` and reads the whole response, whatever its status.
    virtual boost::asio::awaitable<Result<HttpResponse>> request(HttpRequest request) = 0;

    /// Sends `request` and reads the response header; the body is then read from
    /// the stream. A status of 400 or more is returned as ErrorKind::daemon with the
    /// daemon's message.
    virtual boost::asio::awaitable<Result<std::unique_ptr<ResponseStream>>> open_stream(HttpRequest request) = 0;
};

/// The daemon's error message from an error body ({"message": "..."}), else the body itself.
std::string daemon_message(std::string_view body);

/// An Error for a daemon answer with status >= 400, the message verbatim.
Error daemon_error(unsigned status, std::string_view body);

} // namespace medic::docker
