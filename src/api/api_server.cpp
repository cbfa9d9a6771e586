#include "api/api_server.hpp"

#include <exception>
#include <random>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/server_impl.hpp"
#include "api/sse.hpp"
#include "api/views.hpp"
#include "api/wire.hpp"
#include "common/task_group.hpp"
#include "incident/incident_tracker.hpp"

namespace medic::api {

ApiServer::Impl::Impl(asio::any_io_executor executor_in, ApiDependencies dependencies, ServerOptions options_in)
    : executor(std::move(executor_in)), deps(std::move(dependencies)), options(std::move(options_in)),
      acceptor(executor), auth(options.tokens), logs(executor, deps.client, deps.classifier), refresh_timer(executor)
{
    routes = table();
    metrics.add_gauge({"medic_followed_containers", "Containers whose logs medic follows.", [this] {
                           return static_cast<double>(deps.followed_containers ? deps.followed_containers() : 0);
                       }});
    metrics.add_gauge({"medic_sse_clients", "Clients of the live streams (logs and events).",
                       [this] { return static_cast<double>(logs.viewers() + events.subscribers()); }});
    metrics.add_gauge({"medic_log_streams", "Docker log streams open for live-log viewers.",
                       [this] { return static_cast<double>(logs.channels()); }});
    metrics.add_gauge({"medic_open_incidents", "Incidents not resolved yet.",
                       [this] { return static_cast<double>(deps.tracker.open_incidents().size()); }});
    metrics.add_gauge({"medic_docker_reachable", "1 when the Docker daemon answered the last list.",
                       [this] { return docker_reachable ? 1.0 : 0.0; }});
}

asio::awaitable<void> ApiServer::Impl::accept_loop()
{
    while (!stopping) {
        auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
            if (stopping || error == asio::error::operation_aborted) {
                break;
            }
            spdlog::warn("API: accept failed: {}", error.message());
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored); // replies and events go out whole, at once
        asio::co_spawn(executor, serve_connection(this, std::move(socket)), LogFailure{"API connection"});
    }
}

namespace {

/// Keeps a connection in the server's `live` set for as long as it is served, however its
/// coroutine ends: a pointer left behind would be closed by stop() after the stream is gone.
class LiveEntry {
public:
    LiveEntry(std::set<beast::tcp_stream*>& live, beast::tcp_stream& stream) : m_live(live), m_stream(&stream)
    {
        m_live.insert(m_stream);
    }
    ~LiveEntry() { m_live.erase(m_stream); }
    LiveEntry(const LiveEntry&) = delete;
    LiveEntry& operator=(const LiveEntry&) = delete;

private:
    std::set<beast::tcp_stream*>& m_live;
    beast::tcp_stream* m_stream;
};

/// 500 for a handler that failed in a way it did not foresee: the reply gives an error
/// id, and the log says what happened under that id, once.
Response internal_error(const Request& request, std::string_view path, std::exception_ptr failure)
{
    static thread_local std::mt19937 generator{std::random_device{}()};
    const auto id = fmt::format("{:08x}", generator());
    spdlog::error("API: {} {} failed (error id {}): {}", std::string(request.method_string()), path, id,
                  describe_failure(std::move(failure)));
    return error_reply(request, http::status::internal_server_error,
                       fmt::format("medic could not answer this request; its log says why under error id {}", id));
}

} // namespace

asio::awaitable<void> ApiServer::Impl::serve_connection(Impl* self, tcp::socket socket)
{
    beast::tcp_stream stream(std::move(socket));
    const LiveEntry entry(self->live, stream);
    try {
        co_await self->exchange_requests(stream);
    } catch (...) {
        // Outside any handler (those answer 500 themselves): nothing can be answered, the connection closes.
        spdlog::error("API: a connection failed: {}", describe_failure(std::current_exception()));
    }
}

asio::awaitable<void> ApiServer::Impl::exchange_requests(beast::tcp_stream& stream)
{
    beast::flat_buffer buffer;
    bool first = true;
    if (live.size() > options.max_connections) {
        Request none;
        co_await write(stream,
                       error_reply(none, http::status::service_unavailable, "too many connections; try again later"));
        co_return;
    }
    while (!stopping) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
        parser.body_limit(options.max_body_bytes);
        stream.expires_after(first ? options.request_timeout : options.idle_timeout);
        first = false;
        auto [error, size] = co_await read_request(stream, buffer, parser);
        if (error) {
            Request none;
            if (error == http::error::body_limit) {
                co_await write(stream,
                               error_reply(none, http::status::payload_too_large,
                                           fmt::format("the body is larger than {} bytes", options.max_body_bytes)));
            } else if (error == http::error::header_limit) {
                co_await write(
                    stream, error_reply(none, http::status::request_header_fields_too_large,
                                        fmt::format("the headers are larger than {} bytes", options.max_header_bytes)));
            } else if (error != http::error::end_of_stream && error != beast::error::timeout &&
                       error != asio::error::connection_reset && error != asio::error::operation_aborted &&
                       error != asio::error::eof && size > 0) {
                co_await write(stream, error_reply(none, http::status::bad_request,
                                                   fmt::format("malformed request: {}", error.message())));
            }
            break;
        }
        Request request = parser.release();
        stream.expires_after(options.request_timeout);
        const bool keep_alive = request.keep_alive();
        auto target = parse_target(request.target());
        if (!target) {
            auto response = bad_parameter(request, target.error());
            response.keep_alive(false);
            co_await write(stream, std::move(response));
            break;
        }
        const Route* route = nullptr;
        Captures captures;
        const auto found = find_route(*target, request.method(), route, captures);
        if (found == http::status::ok && route->stream != nullptr) {
            if (auto refusal = check_access(request, *route)) {
                co_await write(stream, std::move(*refusal));
                break;
            }
            stream.expires_never();
            const std::string path = target->path;
            try {
                co_await (this->*(route->stream))(std::move(request), std::move(*target), std::move(captures),
                                                  stream.release_socket());
            } catch (...) {
                spdlog::error("API: the stream {} failed: {}", path, describe_failure(std::current_exception()));
            }
            co_return;
        }
        Response response;
        if (found == http::status::ok) {
            if (auto refusal = check_access(request, *route)) {
                response = std::move(*refusal);
            } else {
                std::exception_ptr failure;
                try {
                    response = co_await (this->*(route->handler))(request, *target, captures);
                } catch (...) {
                    failure = std::current_exception();
                }
                if (failure) {
                    response = internal_error(request, target->path, failure);
                }
            }
        } else if (found == http::status::method_not_allowed) {
            response =
                error_reply(request, found,
                            fmt::format("{} is not allowed on {}", std::string(request.method_string()), target->path));
        } else if (auto file = static_file(request, *target)) {
            response = std::move(*file);
        } else {
            response = error_reply(request, http::status::not_found,
                                   fmt::format("no route {} {}", std::string(request.method_string()), target->path));
        }
        response.keep_alive(keep_alive);
        if (!co_await write(stream, std::move(response)) || !keep_alive) {
            break;
        }
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<bool> ApiServer::Impl::write(beast::tcp_stream& stream, Response response)
{
    metrics.count_request(response.result_int());
    response.prepare_payload();
    stream.expires_after(options.request_timeout);
    const auto error = co_await write_response(stream, response);
    co_return !error;
}

/// Refuses a stream request with a plain JSON reply on the raw socket.
asio::awaitable<void> ApiServer::Impl::refuse(tcp::socket socket, Response response)
{
    beast::tcp_stream stream(std::move(socket));
    response.keep_alive(false);
    co_await write(stream, std::move(response));
}

void ApiServer::Impl::on_change(const store::Change& change)
{
    metrics.on_change(change);
    health_body.clear();
    if (events.empty()) {
        return;
    }
    if (change.kind == store::Change::Kind::incident && change.incident != nullptr) {
        events.publish("incident", dump_json(incident_json(*change.incident)));
    } else if (change.kind == store::Change::Kind::action && change.action != nullptr) {
        events.publish("action", dump_json(action_json(*change.action)));
    }
}

void ApiServer::Impl::stop()
{
    stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    refresh_timer.cancel();
    logs.stop();
    for (auto* connection : std::set<SseConnection*>(sse_connections)) {
        connection->close();
    }
    for (auto* stream : std::set<beast::tcp_stream*>(live)) {
        stream->socket().close(ignored);
    }
}

ApiServer::ApiServer(asio::any_io_executor executor, ApiDependencies dependencies, ServerOptions options)
    : m_impl(std::make_unique<Impl>(std::move(executor), std::move(dependencies), std::move(options)))
{
}

ApiServer::~ApiServer() = default;

Result<std::uint16_t> ApiServer::listen()
{
    auto& impl = *m_impl;
    const auto [host, port] = split_listen_address(impl.options.listen);
    boost::system::error_code error;
    const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, error);
    if (error) {
        return fail(ErrorKind::invalid_argument,
                    fmt::format("cannot listen on '{}': '{}' is not an IP address", impl.options.listen, host));
    }
    int port_number = 0;
    try {
        port_number = std::stoi(port);
    } catch (const std::exception&) {
        return fail(ErrorKind::invalid_argument, fmt::format("cannot listen on '{}': bad port", impl.options.listen));
    }
    const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(port_number));
    impl.acceptor.open(endpoint.protocol(), error);
    if (!error) {
        impl.acceptor.set_option(asio::socket_base::reuse_address(true), error);
        impl.acceptor.bind(endpoint, error);
    }
    if (!error) {
        impl.acceptor.listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
        return fail(ErrorKind::io, fmt::format("cannot listen on {}: {}", impl.options.listen, error.message()));
    }
    return impl.acceptor.local_endpoint().port();
}

asio::awaitable<void> ApiServer::run()
{
    asio::co_spawn(m_impl->executor, m_impl->refresh_loop(), LogFailure{"API container refresh"});
    co_await m_impl->accept_loop();
}

void ApiServer::stop()
{
    m_impl->stop();
}

void ApiServer::on_change(const store::Change& change)
{
    m_impl->on_change(change);
}

} // namespace medic::api
