#include "notify/notifier.hpp"

#include <deque>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/byte_stream.hpp"
#include "common/task_group.hpp"
#include "common/time_format.hpp"
#include "docker/client.hpp"

namespace medic::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;
};

Result<Url> parse_url(const std::string& url)
{
    Url parsed;
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        parsed.tls = true;
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else {
        return fail(ErrorKind::invalid_argument, fmt::format("'{}' must start with http:// or https://", url));
    }
    const auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    parsed.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
        parsed.port = std::string(authority.substr(colon + 1));
        authority = authority.substr(0, colon);
    } else {
        parsed.port = parsed.tls ? "443" : "80";
    }
    parsed.host = std::string(authority);
    if (parsed.host.empty() || parsed.port.empty() ||
        parsed.port.find_first_not_of("0123456789") != std::string::npos) {
        return fail(ErrorKind::invalid_argument, fmt::format("'{}' has no usable host and port", url));
    }
    return parsed;
}

} // namespace

Result<void> validate_url(const std::string& url)
{
    auto parsed = parse_url(url);
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    return {};
}

struct Notifier::Impl {
    struct Delivery {
        Payload payload;
        std::string container;
        int attempts = 0;
    };
    struct Sender {
        Target target;
        Url url;
        std::deque<Delivery> queue;
        std::unique_ptr<asio::steady_timer> wake;
    };

    Impl(asio::any_io_executor executor_in, NotifyOptions options_in, docker::DockerClient* client_in)
        : executor(std::move(executor_in)), options(std::move(options_in)), policy(options),
          tasks(executor, "notifier"), tls(asio::ssl::context::tls_client), client(client_in)
    {
        tls.set_default_verify_paths();
        tls.set_verify_mode(asio::ssl::verify_peer);
        for (const auto& target : options.targets) {
            auto url = parse_url(target.url);
            if (!url) {
                spdlog::error("notify: {}; this receiver is skipped", url.error().message);
                continue;
            }
            senders.push_back(
                std::make_unique<Sender>(Sender{target, *url, {}, std::make_unique<asio::steady_timer>(executor)}));
        }
    }

    void on_change(const store::Change& change)
    {
        auto notice = policy.on_change(change, unix_millis_now());
        if (!notice) {
            return;
        }
        spdlog::info("notify: {} {} on {} to {} receiver(s)", to_string(notice->kind),
                     classify::to_string(notice->incident.type), notice->incident.container_name, senders.size());
        for (auto& sender : senders) {
            if (sender->queue.size() >= options.max_queued) {
                sender->queue.pop_front();
                ++failed;
                spdlog::warn("notify: {} is not keeping up; the oldest waiting message was dropped",
                             sender->target.url);
            }
            sender->queue.push_back({render(*notice, sender->target.preset), notice->incident.container_name, 0});
            sender->wake->cancel();
        }
    }

    /// Writes the request and reads the answer on a connected stream (plain or TLS).
    static asio::awaitable<boost::system::error_code>
    exchange(ByteStream& stream, http::request<http::string_body>& request, http::response<http::string_body>& response)
    {
        beast::flat_buffer buffer;
        auto [write_error, written] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
        if (write_error) {
            co_return write_error;
        }
        auto [read_error, read] =
            co_await http::async_read(stream, buffer, response, asio::as_tuple(asio::use_awaitable));
        co_return read_error;
    }

    /// One POST; an error unless the receiver answered 2xx.
    asio::awaitable<Result<void>> post(Sender& sender, const Payload& payload)
    {
        http::request<http::string_body> request{http::verb::post, sender.url.target, 11};
        request.set(http::field::host, sender.url.host);
        request.set(http::field::user_agent, "medic");
        request.set(http::field::content_type, payload.content_type);
        for (const auto& [name, value] : payload.headers) {
            request.set(name, value);
        }
        request.body() = payload.body;
        request.prepare_payload();
        tcp::resolver resolver(executor);
        auto [resolve_error, endpoints] =
            co_await resolver.async_resolve(sender.url.host, sender.url.port, asio::as_tuple(asio::use_awaitable));
        if (resolve_error) {
            co_return fail(ErrorKind::connect_failed,
                           fmt::format("cannot resolve {}: {}", sender.url.host, resolve_error.message()));
        }
        http::response<http::string_body> response;
        boost::system::error_code error;
        std::unique_ptr<ByteStream> connection;
        if (sender.url.tls) {
            auto secure = std::make_unique<ByteStreamOf<beast::ssl_stream<beast::tcp_stream>>>(executor, tls);
            auto& stream = secure->stream();
            SSL_set_tlsext_host_name(stream.native_handle(), sender.url.host.c_str());
            secure->expires_after(options.timeout);
            auto [connect_error, connected] =
                co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
            error = connect_error;
            if (!error) {
                auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::client,
                                                                         asio::as_tuple(asio::use_awaitable));
                error = handshake_error;
            }
            connection = std::move(secure);
        } else {
            auto plain = std::make_unique<ByteStreamOf<beast::tcp_stream>>(executor);
            plain->expires_after(options.timeout);
            auto [connect_error, connected] =
                co_await plain->stream().async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
            error = connect_error;
            connection = std::move(plain);
        }
        if (!error) {
            error = co_await exchange(*connection, request, response);
        }
        if (error) {
            co_return fail(ErrorKind::connect_failed, error.message());
        }
        if (response.result_int() < 200 || response.result_int() >= 300) {
            co_return fail(ErrorKind::protocol, fmt::format("answered {}", response.result_int()));
        }
        co_return Result<void>{};
    }

    /// True when the container says medic.notify=false.
    asio::awaitable<bool> muted(const std::string& container)
    {
        if (client == nullptr || container.empty() || container == incident::k_host) {
            co_return false;
        }
        auto details = co_await client->inspect_container(container);
        if (!details) {
            co_return false; // gone: the message still goes
        }
        const auto label = details->labels.find("medic.notify");
        co_return label != details->labels.end() && label->second == "false";
    }

    static asio::awaitable<void> send_loop(Impl* self, Sender* sender)
    {
        while (!self->stopping) {
            if (sender->queue.empty()) {
                sender->wake->expires_after(std::chrono::hours(24));
                co_await sender->wake->async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            auto& delivery = sender->queue.front();
            if (delivery.attempts == 0 && co_await self->muted(delivery.container)) {
                sender->queue.pop_front(); // medic.notify=false: this container's trouble is nobody's message
                continue;
            }
            auto sent = co_await self->post(*sender, delivery.payload);
            if (sent) {
                ++self->delivered;
                sender->queue.pop_front();
                continue;
            }
            ++delivery.attempts;
            if (delivery.attempts >= self->options.max_attempts) {
                spdlog::error("notify: {} {} {} times; the message is given up", sender->target.url,
                              sent.error().message, delivery.attempts);
                ++self->failed;
                sender->queue.pop_front();
                continue;
            }
            const auto delay = std::min(self->options.max_retry,
                                        self->options.first_retry * (1 << std::min(delivery.attempts - 1, 16)));
            spdlog::warn("notify: {} {}; trying again in {} ms", sender->target.url, sent.error().message,
                         delay.count());
            sender->wake->expires_after(delay);
            auto [ignored] = co_await sender->wake->async_wait(asio::as_tuple(asio::use_awaitable));
            (void)ignored;
            // A new notice cancels the wait: the retry then goes at once, with it behind.
        }
    }

    asio::any_io_executor executor;
    NotifyOptions options;
    NoticePolicy policy;
    TaskGroup tasks;
    asio::ssl::context tls;
    docker::DockerClient* client = nullptr;
    std::vector<std::unique_ptr<Sender>> senders;
    std::int64_t delivered = 0;
    std::int64_t failed = 0;
    bool stopping = false;
};

Notifier::Notifier(asio::any_io_executor executor, NotifyOptions options, docker::DockerClient* client)
    : m_impl(std::make_unique<Impl>(std::move(executor), std::move(options), client))
{
}

Notifier::~Notifier() = default;

void Notifier::on_change(const store::Change& change)
{
    m_impl->on_change(change);
}

asio::awaitable<void> Notifier::run()
{
    for (auto& sender : m_impl->senders) {
        m_impl->tasks.spawn(Impl::send_loop(m_impl.get(), sender.get()));
    }
    co_await m_impl->tasks.drained();
}

void Notifier::stop()
{
    m_impl->stopping = true;
    for (auto& sender : m_impl->senders) {
        sender->wake->cancel();
    }
}

std::int64_t Notifier::delivered() const
{
    return m_impl->delivered;
}

std::int64_t Notifier::failed() const
{
    return m_impl->failed;
}

} // namespace medic::notify
