// http: one GET per endpoint; each must answer its expected status (any 2xx/3xx when
// none is named) and, when asked, contain a text. A SysReptor-style health endpoint
// answers a JSON of checks; the failed ones are named.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "docker/http_transport.hpp"
#include "probe/probe_kinds.hpp"

namespace medic::probe {
namespace {

namespace asio = boost::asio;

constexpr std::size_t k_body_limit = 256U * 1024U;

/// What went wrong on the way, in the words of the other network probes.
std::string describe(const Error& error, std::chrono::milliseconds timeout)
{
    switch (error.kind) {
    case ErrorKind::timeout: return fmt::format("timed out after {} ms", timeout.count());
    case ErrorKind::too_large: return fmt::format("answer larger than {} KiB", k_body_limit / 1024);
    case ErrorKind::truncated: return "connection closed by the service";
    default: return error.message;
    }
}

/// The checks a health JSON reports as failed: values false, or text other than ok/healthy/pass.
std::vector<std::string> failed_checks(const std::string& body)
{
    std::vector<std::string> failed;
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_object()) {
        return failed;
    }
    for (const auto& [name, value] : parsed.items()) {
        bool good = true;
        if (value.is_boolean()) {
            good = value.get<bool>();
        } else if (value.is_string()) {
            const auto text = value.get<std::string>();
            good = text == "ok" || text == "OK" || text == "healthy" || text == "pass" || text == "up";
        } else if (value.is_object() && value.contains("status") && value["status"].is_string()) {
            const auto text = value["status"].get<std::string>();
            good = text == "ok" || text == "OK" || text == "healthy" || text == "pass" || text == "up";
        }
        if (!good) {
            failed.push_back(name);
        }
    }
    return failed;
}

std::string excerpt(const std::string& body)
{
    auto text = body.substr(0, 200);
    for (auto& character : text) {
        if (character == '\n' || character == '\r') {
            character = ' ';
        }
    }
    return body.size() > 200 ? text + "..." : text;
}

class HttpProbe final : public Probe {
public:
    [[nodiscard]] std::string_view kind() const override { return "http"; }
    [[nodiscard]] bool needs_address() const override { return true; }
    [[nodiscard]] std::string_view summary() const override
    {
        return "GET each endpoint (label medic.http.endpoints): expected status, optional body text, timeout";
    }

    asio::awaitable<ProbeResult> run(const ProbeContext& context) const override
    {
        ProbeResult result;
        const auto& address = *context.spec.address;
        std::vector<std::string> answers;
        std::vector<std::string> statuses;
        for (const auto& endpoint : context.spec.endpoints) {
            std::string problem;
            auto answer = co_await get(context, endpoint, problem, result.failed_checks);
            answers.push_back(fmt::format("GET {} -> {}", endpoint.path, answer));
            statuses.push_back(fmt::format("GET {} {}", endpoint.path, answer.substr(0, answer.find(':'))));
            if (!problem.empty() && result.status != ProbeStatus::failing) {
                result.status = ProbeStatus::failing;
                result.signal = fmt::format("HTTP GET {}: {}", endpoint.path, problem);
            }
        }
        result.evidence = fmt::format("{}", fmt::join(answers, "\n"));
        if (result.status == ProbeStatus::failing) {
            result.summary = fmt::format("{} at {}", result.signal, address.to_string());
            if (!result.failed_checks.empty()) {
                result.summary += fmt::format(" (failed checks: {})", fmt::join(result.failed_checks, ", "));
            }
        } else {
            result.summary = fmt::format("{} at {}", fmt::join(statuses, ", "), address.to_string());
        }
        co_return result;
    }

private:
    /// One GET: returns the answer for the evidence; sets `problem` when it is not what was expected.
    static asio::awaitable<std::string> get(const ProbeContext& context, const HttpEndpoint& endpoint,
                                            std::string& problem, std::vector<std::string>& checks)
    {
        const auto& address = *context.spec.address;
        // medic's one HTTP client (Beast's operations compiled once, in the transport).
        docker::Endpoint service;
        service.transport = docker::Transport::tcp;
        service.host = address.host;
        service.port = std::to_string(address.port);
        docker::TransportLimits limits;
        limits.max_body_size = k_body_limit;
        auto transport = docker::HttpTransport::create(context.executor, service, limits, "the service");
        if (!transport) {
            problem = transport.error().message;
            co_return problem;
        }
        docker::HttpRequest request;
        request.target = endpoint.path;
        request.timeout = context.spec.timeout;
        request.headers = {{"Host", address.to_string()}, {"User-Agent", "medic-probe"}, {"Connection", "close"}};
        auto response = co_await (*transport)->request(std::move(request));
        if (!response) {
            problem = describe(response.error(), context.spec.timeout);
            co_return problem;
        }
        const int status = static_cast<int>(response->status);
        const auto& body = response->body;
        if (endpoint.health_checks) {
            checks = failed_checks(body);
        }
        const bool status_ok =
            endpoint.expect_status == 0 ? status >= 200 && status < 400 : status == endpoint.expect_status;
        const auto& reason = response->reason;
        auto answer = fmt::format("{} {}", status, reason);
        if (!body.empty()) {
            answer += ": " + excerpt(body);
        }
        if (!status_ok) {
            problem = fmt::format("{} {}", status, reason);
            if (endpoint.expect_status != 0) {
                problem += fmt::format(" (expected {})", endpoint.expect_status);
            }
            if (!checks.empty()) {
                problem += fmt::format(", failed checks: {}", fmt::join(checks, ", "));
            }
        } else if (!endpoint.body_contains.empty() && body.find(endpoint.body_contains) == std::string::npos) {
            problem = fmt::format("{} {} without '{}' in the body", status, reason, endpoint.body_contains);
        }
        co_return answer;
    }
};

} // namespace

const Probe& http_probe()
{
    static const HttpProbe probe;
    return probe;
}

} // namespace medic::probe
