// The routes of the session (login, logout), the documents, the metrics and the live streams.
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "api/server_impl.hpp"
#include "api/sse.hpp"

namespace medic::api {

const std::string& openapi_document(); // generated from src/api/openapi.json

namespace {

/// The Last-Event-ID header of a stream that resumes; 0 when there is none.
tl::expected<std::int64_t, ParameterError> last_event_id(const Request& request)
{
    Target header;
    header.parameters["Last-Event-ID"] = std::string(request["Last-Event-ID"]);
    return integer_parameter(header, "Last-Event-ID", 0, 0, std::numeric_limits<std::int64_t>::max());
}

std::string sse_header()
{
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
           "X-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
}

} // namespace

asio::awaitable<Response> ApiServer::Impl::login(const Request& request, const Target&, const Captures&)
{
    auto body = body_object(request, {"token"});
    if (!body) {
        co_return bad_parameter(request, body.error());
    }
    auto token = body_string(*body, "token", 256);
    if (!token) {
        co_return bad_parameter(request, token.error());
    }
    const auto role = auth.role_of_token(*token);
    if (!role) {
        co_return error_reply(request, http::status::unauthorized, "that token is not valid", "token");
    }
    auto reply = json_reply(request, http::status::ok, {{"role", to_string(*role)}});
    reply.set(http::field::set_cookie,
              Authenticator::session_cookie(auth.open_session(*role, Authenticator::Clock::now())));
    co_return reply;
}

asio::awaitable<Response> ApiServer::Impl::logout(const Request& request, const Target&, const Captures&)
{
    auth.close_session(request[http::field::cookie]);
    auto reply = json_reply(request, http::status::ok, nlohmann::json::object());
    reply.set(http::field::set_cookie, Authenticator::expired_cookie());
    co_return reply;
}

asio::awaitable<Response> ApiServer::Impl::session(const Request& request, const Target&, const Captures&)
{
    const auto role = auth.role_of_request(request[http::field::authorization], request[http::field::cookie],
                                           Authenticator::Clock::now());
    co_return json_reply(request, http::status::ok, {{"role", to_string(role.value_or(Role::viewer))}});
}

asio::awaitable<Response> ApiServer::Impl::openapi(const Request& request, const Target&, const Captures&)
{
    co_return json_text_reply(request, http::status::ok, openapi_document());
}

asio::awaitable<Response> ApiServer::Impl::metrics_text(const Request& request, const Target&, const Captures&)
{
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = metrics.render();
    co_return response;
}

asio::awaitable<void> ApiServer::Impl::log_stream(Request request, Target target, Captures captures, tcp::socket socket)
{
    LogRequest wanted;
    wanted.container = captures[0];
    if (!is_valid_container_name(wanted.container)) {
        co_await refuse(std::move(socket),
                        error_reply(request, http::status::bad_request, "not a container name", "name"));
        co_return;
    }
    auto tail = integer_parameter(target, "tail", 200, 0, static_cast<std::int64_t>(LogHub::k_max_backlog));
    auto out = flag_parameter(target, "stdout", true);
    auto err = flag_parameter(target, "stderr", true);
    auto after = integer_parameter(target, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
    for (const auto* bad : {tail ? nullptr : &tail.error(), out ? nullptr : &out.error(), err ? nullptr : &err.error(),
                            after ? nullptr : &after.error()}) {
        if (bad != nullptr) {
            co_await refuse(std::move(socket), bad_parameter(request, *bad));
            co_return;
        }
    }
    wanted.tail = static_cast<int>(*tail);
    wanted.stdout_stream = *out;
    wanted.stderr_stream = *err;
    wanted.after_nanos = *after;
    auto resume = last_event_id(request);
    if (!resume) {
        co_await refuse(std::move(socket), bad_parameter(request, resume.error()));
        co_return;
    }
    if (*resume > 0) {
        wanted.after_nanos = *resume;
    }
    auto connection = std::make_shared<SseConnection>(std::move(socket), options.keep_alive);
    sse_connections.insert(connection.get());
    logs.open(connection, std::move(wanted));
    co_await SseConnection::run(connection, sse_header());
    sse_connections.erase(connection.get());
}

asio::awaitable<void> ApiServer::Impl::event_stream(Request request, Target, Captures, tcp::socket socket)
{
    auto after = last_event_id(request);
    if (!after) {
        co_await refuse(std::move(socket), bad_parameter(request, after.error()));
        co_return;
    }
    auto connection = std::make_shared<SseConnection>(std::move(socket), options.keep_alive);
    sse_connections.insert(connection.get());
    events.subscribe(connection, *after);
    co_await SseConnection::run(connection, sse_header());
    events.unsubscribe(connection);
    sse_connections.erase(connection.get());
}

} // namespace medic::api
