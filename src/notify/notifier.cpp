#include "notify/notifier.hpp"

#include <deque>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/task_group.hpp"
#include "common/time_format.hpp"
#include "docker/client.hpp"
#include "docker/http_transport.hpp"

namespace medic::notify {

namespace asio = boost::asio;

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
        std::shared_ptr<docker::HttpTransport> transport;
        std::deque<Delivery> queue;
        std::unique_ptr<asio::steady_timer> wake;
    };

    Impl(asio::any_io_executor executor_in, NotifyOptions options_in, docker::DockerClient* client_in)
        : executor(std::move(executor_in)), options(std::move(options_in)), policy(options),
          tasks(executor, "notifier"), client(client_in)
    {
        for (const auto& target : options.targets) {
            auto url = parse_url(target.url);
            if (!url) {
                spdlog::error("notify: {}; this receiver is skipped", url.error().message);
                continue;
            }
            auto transport =
                docker::HttpTransport::create(executor, endpoint_of(*url), receiver_limits(), "the receiver");
            if (!transport) {
                spdlog::error("notify: {}: {}; this receiver is skipped", target.url, transport.error().message);
                continue;
            }
            senders.push_back(std::make_unique<Sender>(
                Sender{target, *url, std::move(*transport), {}, std::make_unique<asio::steady_timer>(executor)}));
        }
    }

    /// A receiver over TLS is checked against the system's certificate authorities and its host name.
    static docker::Endpoint endpoint_of(const Url& url)
    {
        docker::Endpoint endpoint;
        endpoint.transport = url.tls ? docker::Transport::tls : docker::Transport::tcp;
        endpoint.host = url.host;
        endpoint.port = url.port;
        if (url.tls) {
            endpoint.tls = docker::TlsFiles{};
        }
        return endpoint;
    }

    static docker::TransportLimits receiver_limits()
    {
        docker::TransportLimits limits;
        limits.max_body_size = 1024U * 1024U; // a receiver's answer is read and dropped
        return limits;
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

    /// One POST; an error unless the receiver answered 2xx.
    asio::awaitable<Result<void>> post(Sender& sender, const Payload& payload)
    {
        docker::HttpRequest request;
        request.method = docker::HttpMethod::post;
        request.target = sender.url.target;
        request.body = payload.body;
        request.content_type = payload.content_type;
        request.headers = payload.headers;
        request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout);
        auto response = co_await sender.transport->request(std::move(request));
        if (!response) {
            co_return tl::unexpected(response.error());
        }
        if (response->status < 200 || response->status >= 300) {
            co_return fail(ErrorKind::protocol, fmt::format("answered {}", response->status));
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
