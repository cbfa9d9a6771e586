// redis: PING, then INFO persistence. A dataset still loading is `starting`, not a
// failure; a MISCONF answer or a failed background save or AOF write is failing, and
// the server's last log lines go along, because only they say why (full disk or
// permissions). The protocol is hiredis's reader; the socket is Asio's.

#include <array>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hiredis/hiredis.h>

#include "docker/client.hpp"
#include "docker/log_stream.hpp"
#include "probe/connect.hpp"
#include "probe/probe_kinds.hpp"

namespace medic::probe {
namespace {

namespace asio = boost::asio;

struct ReaderDeleter {
    void operator()(redisReader* reader) const { redisReaderFree(reader); }
};
struct ReplyDeleter {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

/// One command in the protocol's form, e.g. {"INFO", "persistence"}.
std::string format_command(const std::vector<std::string>& words)
{
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& word : words) {
        argv.push_back(word.c_str());
        lengths.push_back(word.size());
    }
    char* formatted = nullptr;
    const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(), lengths.data());
    if (length < 0 || formatted == nullptr) {
        return {};
    }
    std::string command(formatted, static_cast<std::size_t>(length));
    redisFreeCommand(formatted);
    return command;
}

std::string reply_text(const redisReply& reply)
{
    if (reply.str != nullptr) {
        return std::string(reply.str, reply.len);
    }
    if (reply.type == REDIS_REPLY_INTEGER) {
        return std::to_string(reply.integer);
    }
    return {};
}

/// "key:value" lines of INFO -> the value of `key`, "" when absent.
std::string info_field(const std::string& info, std::string_view key)
{
    std::size_t position = 0;
    while (position < info.size()) {
        auto end = info.find('\n', position);
        if (end == std::string::npos) {
            end = info.size();
        }
        std::string_view line(info.data() + position, end - position);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':') {
            return std::string(line.substr(key.size() + 1));
        }
        position = end + 1;
    }
    return {};
}

class RedisProbe final : public Probe {
public:
    [[nodiscard]] std::string_view kind() const override { return "redis"; }
    [[nodiscard]] bool needs_address() const override { return true; }
    [[nodiscard]] std::string_view summary() const override
    {
        return "PING and INFO persistence (aof_last_write_status, rdb_last_bgsave_status, loading); MISCONF answers";
    }

    asio::awaitable<ProbeResult> run(const ProbeContext& context) const override
    {
        ProbeResult result;
        const auto& address = *context.spec.address;
        auto stream = co_await connect_to(context.executor, address, context.spec.timeout);
        if (!stream) {
            result.status = ProbeStatus::failing;
            result.summary = stream.error().message;
            result.signal = fmt::format("redis PING: {}", stream.error().message);
            co_return result;
        }
        std::string request;
        std::size_t expected = 2;
        if (auto password = context.container.env("REDIS_PASSWORD"); password && !password->empty()) {
            request += format_command({"AUTH", *password});
            ++expected;
        }
        request += format_command({"PING"});
        request += format_command({"INFO", "persistence"});
        auto [write_error, written] =
            co_await asio::async_write(*stream, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
        if (write_error) {
            result.status = ProbeStatus::failing;
            result.summary = describe_network_error(write_error, context.spec.timeout);
            result.signal = fmt::format("redis PING: {}", result.summary);
            co_return result;
        }
        std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
        std::vector<ReplyPtr> replies;
        std::array<char, 16384> buffer{};
        while (replies.size() < expected) {
            void* parsed = nullptr;
            if (redisReaderGetReply(reader.get(), &parsed) != REDIS_OK) {
                result.status = ProbeStatus::failing;
                result.summary = fmt::format("not a Redis answer: {}", reader->errstr);
                result.signal = fmt::format("redis PING: {}", result.summary);
                co_return result;
            }
            if (parsed != nullptr) {
                replies.emplace_back(static_cast<redisReply*>(parsed));
                continue;
            }
            auto [read_error, count] =
                co_await stream->async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
            if (read_error) {
                result.status = ProbeStatus::failing;
                result.summary = describe_network_error(read_error, context.spec.timeout);
                result.signal = fmt::format("redis PING: {}", result.summary);
                co_return result;
            }
            redisReaderFeed(reader.get(), buffer.data(), count);
        }
        const auto& ping = *replies[expected - 2];
        const auto& info_reply = *replies[expected - 1];
        const auto pong = reply_text(ping);
        if (ping.type == REDIS_REPLY_ERROR) {
            if (pong.starts_with("LOADING")) {
                result.status = ProbeStatus::starting;
                result.summary = "loading its dataset: " + pong;
                co_return result;
            }
            if (pong.starts_with("NOAUTH") || pong.starts_with("WRONGPASS")) {
                result.summary = fmt::format("answers at {} but needs a password (set REDIS_PASSWORD): {}",
                                             address.to_string(), pong);
                co_return result;
            }
            result.status = ProbeStatus::failing;
            result.summary = "PING answered " + pong;
            result.signal = "redis PING: " + pong;
        }
        const auto info = info_reply.type == REDIS_REPLY_ERROR ? std::string() : reply_text(info_reply);
        const auto loading = info_field(info, "loading");
        const auto aof = info_field(info, "aof_last_write_status");
        const auto rdb = info_field(info, "rdb_last_bgsave_status");
        const auto rewrite = info_field(info, "aof_last_bgrewrite_status");
        result.evidence = fmt::format("PING: {}; loading:{} aof_last_write_status:{} rdb_last_bgsave_status:{} "
                                      "aof_last_bgrewrite_status:{}",
                                      pong, loading, aof, rdb, rewrite);
        if (result.status == ProbeStatus::ok && loading == "1") {
            result.status = ProbeStatus::starting;
            result.summary = "loading its dataset";
            co_return result;
        }
        std::vector<std::string> failed;
        if (aof == "err") {
            failed.emplace_back("aof_last_write_status:err");
        }
        if (rdb == "err") {
            failed.emplace_back("rdb_last_bgsave_status:err");
        }
        if (rewrite == "err") {
            failed.emplace_back("aof_last_bgrewrite_status:err");
        }
        if (!failed.empty() && result.status == ProbeStatus::ok) {
            result.status = ProbeStatus::failing;
            result.summary = fmt::format("cannot persist: {}", fmt::join(failed, ", "));
            result.signal = fmt::format("redis INFO persistence: {}", fmt::join(failed, ", "));
        } else if (!failed.empty()) {
            result.summary += fmt::format(" ({})", fmt::join(failed, ", "));
            result.signal += fmt::format("; INFO persistence: {}", fmt::join(failed, ", "));
        }
        if (result.status == ProbeStatus::failing && (!failed.empty() || pong.starts_with("MISCONF"))) {
            result.log_tail = co_await context.client.last_lines(context.container.id, 100);
        }
        if (result.status == ProbeStatus::ok) {
            result.summary = fmt::format("PONG at {}; persistence ok", address.to_string());
        }
        co_return result;
    }
};

} // namespace

const Probe& redis_probe()
{
    static const RedisProbe probe;
    return probe;
}

} // namespace medic::probe
