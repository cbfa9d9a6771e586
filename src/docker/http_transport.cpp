#include "docker/http_transport.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "common/byte_stream.hpp"
#include "docker/connection.hpp"

namespace medic::docker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;

http::verb to_verb(HttpMethod method)
{
    switch (method) {
    case HttpMethod::get: return http::verb::get;
    case HttpMethod::post: return http::verb::post;
    case HttpMethod::put: return http::verb::put;
    case HttpMethod::delete_: return http::verb::delete_;
    case HttpMethod::head: return http::verb::head;
    }
    return http::verb::get;
}

/// Maps a transport error to an Error that says where it happened.
Error transport_error(const beast::error_code& error, std::string_view what, const Endpoint& endpoint)
{
    ErrorKind kind = ErrorKind::io;
    if (error == beast::error::timeout) {
        kind = ErrorKind::timeout;
    } else if (error == asio::error::operation_aborted) {
        kind = ErrorKind::cancelled;
    } else if (error == http::error::body_limit || error == http::error::header_limit ||
               error == http::error::buffer_overflow) {
        kind = ErrorKind::too_large;
    } else if (error == http::error::partial_message || error == asio::error::eof ||
               error == http::error::end_of_stream || error == asio::ssl::error::stream_truncated) {
        kind = ErrorKind::truncated;
    } else if (error.category() == http::make_error_code(http::error::end_of_stream).category()) {
        kind = ErrorKind::protocol;
    } else if (error.category() == asio::error::get_ssl_category()) {
        kind = ErrorKind::tls;
    }
    return Error{kind, 0, fmt::format("{} {}: {}", what, endpoint.to_string(), error.message())};
}

http::request<http::string_body> make_request(const HttpRequest& request, const Endpoint& endpoint)
{
    http::request<http::string_body> message{to_verb(request.method), request.target, 11};
    if (endpoint.transport == Transport::unix_socket) {
        message.set(http::field::host, "docker");
    } else {
        const bool default_port = endpoint.port == (endpoint.transport == Transport::tls ? "443" : "80");
        message.set(http::field::host, default_port ? endpoint.host : endpoint.host + ":" + endpoint.port);
    }
    message.set(http::field::user_agent, "medic");
    for (const auto& [name, value] : request.headers) {
        message.set(name, value);
    }
    if (!request.body.empty() || request.method == HttpMethod::post) {
        message.set(http::field::content_type, request.content_type);
        message.body() = request.body;
    }
    message.prepare_payload();
    return message;
}

class BeastResponseStream final : public ResponseStream {
public:
    BeastResponseStream(std::unique_ptr<ByteStream> stream, Endpoint endpoint, TransportLimits limits)
        : m_stream(std::move(stream)), m_endpoint(std::move(endpoint)), m_chunk(limits.read_chunk_size)
    {
        m_parser.header_limit(static_cast<std::uint32_t>(limits.max_header_size));
        m_parser.body_limit(boost::none); // streams are unbounded; the consumers bound what they keep
    }

    ~BeastResponseStream() override { close(); }

    awaitable<beast::error_code> start(http::request<http::string_body>& message)
    {
        auto [error, written] = co_await http::async_write(*m_stream, message, k_nothrow);
        (void)written;
        if (!error) {
            auto [read_error, read] = co_await http::async_read_header(*m_stream, m_buffer, m_parser, k_nothrow);
            (void)read;
            error = read_error;
        }
        if (!error) {
            m_status = m_parser.get().result_int();
            m_content_type = std::string(m_parser.get()[http::field::content_type]);
        }
        co_return error;
    }

    [[nodiscard]] unsigned status() const override { return m_status; }
    [[nodiscard]] const std::string& content_type() const override { return m_content_type; }

    awaitable<Result<std::string_view>> read_some(std::chrono::milliseconds idle_timeout) override
    {
        if (m_failed) {
            co_return tl::unexpected(*m_failed);
        }
        while (!m_closed && !m_parser.is_done()) {
            auto& body = m_parser.get().body();
            body.data = m_chunk.data();
            body.size = m_chunk.size();
            m_stream->expires_after(idle_timeout);
            // read_some: return as soon as some body arrived; async_read would wait for a full buffer.
            auto [error, read] = co_await http::async_read_some(*m_stream, m_buffer, m_parser, k_nothrow);
            (void)read;
            const std::size_t filled = m_chunk.size() - body.size;
            if (error && error != http::error::need_buffer) {
                m_failed = m_closed ? Error{ErrorKind::cancelled, 0, "stream closed"}
                                    : transport_error(error, "reading a stream from", m_endpoint);
                m_closed = true;
            }
            if (filled > 0) {
                // Bytes that arrived before a failure are delivered first; the failure comes next.
                co_return std::string_view(m_chunk.data(), filled);
            }
        }
        if (m_failed) {
            co_return tl::unexpected(*m_failed);
        }
        if (m_closed) {
            co_return fail(ErrorKind::cancelled, "stream closed");
        }
        co_return std::string_view{};
    }

    void close() override
    {
        if (!m_closed) {
            m_closed = true;
            m_stream->close();
        }
    }

    /// Reads the (bounded) rest of an error answer.
    awaitable<std::string> read_error_body(std::size_t limit)
    {
        std::string text;
        while (text.size() < limit) {
            auto piece = co_await read_some(std::chrono::milliseconds(5000));
            if (!piece || piece->empty()) {
                break;
            }
            text.append(piece->substr(0, limit - text.size()));
        }
        co_return text;
    }

private:
    std::unique_ptr<ByteStream> m_stream;
    Endpoint m_endpoint;
    beast::flat_buffer m_buffer;
    http::response_parser<http::buffer_body> m_parser;
    std::vector<char> m_chunk;
    unsigned m_status = 0;
    std::string m_content_type;
    std::optional<Error> m_failed;
    bool m_closed = false;
};

class BeastTransport final : public HttpTransport {
public:
    BeastTransport(asio::any_io_executor executor, Endpoint endpoint, TransportLimits limits,
                   std::shared_ptr<ssl::context> tls_context, std::string peer)
        : m_executor(std::move(executor)), m_endpoint(std::move(endpoint)), m_limits(limits),
          m_tls_context(std::move(tls_context)), m_peer(std::move(peer))
    {
    }

    [[nodiscard]] const Endpoint& endpoint() const override { return m_endpoint; }

    awaitable<Result<HttpResponse>> request(HttpRequest request) override
    {
        auto stream = co_await connect(request.timeout);
        if (!stream) {
            co_return tl::unexpected(stream.error());
        }
        auto message = make_request(request, m_endpoint);
        auto [error, written] = co_await http::async_write(**stream, message, k_nothrow);
        (void)written;
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(m_limits.max_header_size));
        parser.body_limit(m_limits.max_body_size);
        parser.skip(request.method == HttpMethod::head); // a HEAD answer has headers only
        if (!error) {
            auto [read_error, read] = co_await http::async_read(**stream, buffer, parser, k_nothrow);
            (void)read;
            error = read_error;
        }
        (*stream)->close();
        if (error) {
            co_return tl::unexpected(transport_error(
                error, fmt::format("{} {} at", to_string(message.method()), request.target), m_endpoint));
        }
        auto& response = parser.get();
        HttpResponse answer{response.result_int(), std::string(response[http::field::content_type]),
                            std::string(response["Api-Version"]), std::move(response.body()),
                            std::string(response.reason())};
        if (request.method == HttpMethod::head) {
            for (const auto& field : response) {
                std::string name(field.name_string());
                std::transform(name.begin(), name.end(), name.begin(),
                               [](unsigned char character) { return static_cast<char>(std::tolower(character)); });
                answer.headers[std::move(name)] = std::string(field.value());
            }
        }
        co_return answer;
    }

    awaitable<Result<std::unique_ptr<ResponseStream>>> open_stream(HttpRequest request) override
    {
        auto stream = co_await connect(request.timeout);
        if (!stream) {
            co_return tl::unexpected(stream.error());
        }
        auto message = make_request(request, m_endpoint);
        auto response = std::make_unique<BeastResponseStream>(std::move(*stream), m_endpoint, m_limits);
        auto error = co_await response->start(message);
        if (error) {
            co_return tl::unexpected(transport_error(
                error, fmt::format("{} {} at", to_string(message.method()), request.target), m_endpoint));
        }
        if (response->status() >= 400) {
            auto body = co_await response->read_error_body(64U * 1024U);
            co_return tl::unexpected(daemon_error(response->status(), body));
        }
        co_return std::unique_ptr<ResponseStream>(std::move(response));
    }

private:
    awaitable<Result<std::unique_ptr<ByteStream>>> connect(std::chrono::milliseconds timeout)
    {
        co_return co_await open_connection(m_executor, m_endpoint, m_tls_context.get(), timeout, m_peer);
    }

    asio::any_io_executor m_executor;
    Endpoint m_endpoint;
    TransportLimits m_limits;
    std::shared_ptr<ssl::context> m_tls_context;
    std::string m_peer;
};

} // namespace

Result<std::shared_ptr<HttpTransport>> HttpTransport::create(asio::any_io_executor executor, Endpoint endpoint,
                                                             TransportLimits limits, std::string peer)
{
    std::shared_ptr<ssl::context> tls_context;
    if (endpoint.transport == Transport::tls) {
        if (!endpoint.tls) {
            return fail(ErrorKind::invalid_argument, "a TLS endpoint needs certificate files");
        }
        auto context = make_tls_context(*endpoint.tls);
        if (!context) {
            return tl::unexpected(context.error());
        }
        tls_context = std::move(*context);
    }
    return std::make_shared<BeastTransport>(std::move(executor), std::move(endpoint), limits, std::move(tls_context),
                                            std::move(peer));
}

} // namespace medic::docker
