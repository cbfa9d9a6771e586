// tcp: the service accepts a connection on its port.

#include <fmt/format.h>

#include "probe/connect.hpp"
#include "probe/probe_kinds.hpp"

namespace medic::probe {
namespace {

class TcpProbe final : public Probe {
public:
    [[nodiscard]] std::string_view kind() const override { return "tcp"; }
    [[nodiscard]] std::string_view summary() const override { return "the service accepts a TCP connection"; }

    boost::asio::awaitable<ProbeResult> run(const ProbeContext& context) const override
    {
        ProbeResult result;
        if (!context.spec.address) {
            result.status = ProbeStatus::failing;
            result.summary = "no address to connect to";
            co_return result;
        }
        const auto& address = *context.spec.address;
        auto stream = co_await connect_to(context.executor, address, context.spec.timeout);
        if (!stream) {
            result.status = ProbeStatus::failing;
            result.summary = stream.error().message;
            result.signal = fmt::format("tcp {}: {}", address.to_string(), stream.error().message);
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
