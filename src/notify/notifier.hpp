#pragma once
// Sends the notices of NoticePolicy to every configured receiver: one sender per
// receiver, a bounded queue each, retries with backoff while a receiver is down.
// on_change() only queues: healing never waits for a webhook.

#include <cstdint>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/result.hpp"
#include "notify/notice.hpp"

namespace medic::docker {
class DockerClient;
}

namespace medic::notify {

/// Checks a receiver's URL: http:// or https://, a host, an optional port and path.
Result<void> validate_url(const std::string& url);

class Notifier {
public:
    /// With a client, a container labelled medic.notify=false is never the subject of a message.
    Notifier(boost::asio::any_io_executor executor, NotifyOptions options, docker::DockerClient* client = nullptr);
    ~Notifier();

    /// The history changed: a notice, if one is due, is queued for every receiver.
    void on_change(const store::Change& change);

    /// Sends until stop().
    boost::asio::awaitable<void> run();
    void stop();

    [[nodiscard]] std::int64_t delivered() const;
    [[nodiscard]] std::int64_t failed() const; ///< given up after the last attempt, or dropped from a full queue

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace medic::notify
