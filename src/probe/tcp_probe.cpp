// tcp: the service accepts a connection on its port.

#include <algorithm>
#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "probe/connect.hpp"
#include "probe/probe_kinds.hpp"

namespace medic::probe {
namespace {

class TcpProbe final : public Probe {
public:
    [[nodiscard]] std::string_view kind() const override { return "tcp"; }
    [[nodiscard]] bool needs_address() const override { return true; }
    [[nodiscard]] std::string_view summary() const override { return "the service accepts a TCP connection"; }

    boost::asio::awaitable<ProbeResult> run(const ProbeContext& context) const override
    {
        ProbeResult result;
        const auto& address = *context.spec.address;
        auto stream = co_await connect_to(context.executor, address, context.spec.timeout);
        if (!stream) {
            result.status = ProbeStatus::failing;
            result.summary = stream.error().message;
            result.signal = fmt::format("tcp {}: {}", address.to_string(), stream.error().message);
            co_return result;
        }
        // A published port is docker-proxy's: it accepts even when nothing listens behind it,
        // and closes at once. A service keeps the connection open (or greets).
        const auto listen_for =
            std::min<std::chrono::milliseconds>(context.spec.timeout, std::chrono::milliseconds(500));
        stream->expires_after(listen_for);
        std::array<char, 64> greeting{};
        auto [error, count] = co_await stream->async_read_some(boost::asio::buffer(greeting),
                                                               boost::asio::as_tuple(boost::asio::use_awaitable));
        if (error && error != boost::beast::error::timeout) {
            result.status = ProbeStatus::failing;
            result.summary = fmt::format("{} accepted the connection and closed it at once ({}): nothing listens "
                                         "behind it",
                                         address.to_string(), describe_network_error(error, listen_for));
            result.signal = fmt::format("tcp {}: connection refused by the service", address.to_string());
            co_return result;
        }
        result.summary = fmt::format("{} accepts connections ({})", address.to_string(), address.source);
        co_return result;
    }
};

} // namespace

const Probe& tcp_probe()
{
    static const TcpProbe probe;
    return probe;
}

} // namespace medic::probe
