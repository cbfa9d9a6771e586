// postgres: libpq's PQping, the check pg_isready makes. The server answers even when
// the login would fail, so no credentials are needed. PQping blocks: it runs on a
// small thread pool of its own and the coroutine waits for it.

#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <libpq-fe.h>

#include "probe/probe_kinds.hpp"

namespace medic::probe {
namespace {

namespace asio = boost::asio;

asio::thread_pool& ping_pool()
{
    static asio::thread_pool pool(2);
    return pool;
}

/// Runs on the pool. Parameters, not lambda captures: they live in the coroutine's frame.
asio::awaitable<PGPing> ping(std::string host, std::string port, std::string timeout)
{
    const char* keywords[] = {"host", "port", "connect_timeout", "dbname", nullptr};
    const char* values[] = {host.c_str(), port.c_str(), timeout.c_str(), "postgres", nullptr};
    co_return PQpingParams(keywords, values, 0);
}

class PostgresProbe final : public Probe {
public:
    [[nodiscard]] std::string_view kind() const override { return "postgres"; }
    [[nodiscard]] bool needs_address() const override { return true; }
    [[nodiscard]] std::string_view summary() const override
    {
        return "libpq's PQping (what pg_isready checks): accepting, rejecting or no response";
    }

    asio::awaitable<ProbeResult> run(const ProbeContext& context) const override
    {
        ProbeResult result;
        const auto& address = *context.spec.address;
        // libpq counts whole seconds and takes 1 as 2.
        const auto seconds = std::max<long long>(2, (context.spec.timeout.count() + 999) / 1000);
        auto host = address.host;
        auto port = std::to_string(address.port);
        auto timeout = std::to_string(seconds);
        const auto answer = co_await asio::co_spawn(ping_pool(), ping(host, port, timeout), asio::use_awaitable);
        const auto where = address.to_string();
        switch (answer) {
        case PQPING_OK: result.summary = fmt::format("{} - accepting connections", where); break;
        case PQPING_REJECT:
            result.status = ProbeStatus::failing;
            result.summary = fmt::format("{} - rejecting connections", where);
            break;
        case PQPING_NO_RESPONSE:
            result.status = ProbeStatus::failing;
            result.summary = fmt::format("{} - no response", where);
            break;
        case PQPING_NO_ATTEMPT:
            result.status = ProbeStatus::failing;
            result.summary = fmt::format("{} - no attempt made (bad connection parameters)", where);
            break;
        }
        if (result.status == ProbeStatus::failing) {
            result.signal = result.summary; // the pg_isready wording the catalog knows
        }
        co_return result;
    }
};

} // namespace

const Probe& postgres_probe()
{
    static const PostgresProbe probe;
    return probe;
}

} // namespace medic::probe
