#include "probe/probe_plan.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "heal/heal_policy.hpp"

namespace medic::probe {
namespace {

std::optional<std::string> label(const docker::ContainerDetails& container, std::string_view name)
{
    auto found = container.labels.find(std::string(name));
    if (found == container.labels.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::optional<unsigned> parse_number(std::string_view text)
{
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

/// "host:port", "[::1]:port" or ":port" (the container's own address).
std::optional<Address> parse_address(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    auto port = parse_number(text.substr(colon + 1));
    if (!port || *port == 0 || *port > 65535) {
        return std::nullopt;
    }
    std::string host(text.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host.empty()) {
        return std::nullopt;
    }
    return Address{host, static_cast<std::uint16_t>(*port), "label medic.probe.address"};
}

bool is_loopback_or_any(std::string_view ip)
{
    return ip.empty() || ip == "0.0.0.0" || ip == "::" || ip.starts_with("127.") || ip == "::1";
}

/// The port the service listens on: the profile's, else the lowest exposed or published tcp port.
std::uint16_t service_port(const docker::ContainerDetails& container, heal::Profile profile)
{
    if (auto port = heal::traits_of(profile).service_port; port != 0) {
        return port;
    }
    std::vector<std::uint16_t> ports = container.exposed_ports;
    for (const auto& mapping : container.ports) {
        if (mapping.protocol.empty() || mapping.protocol == "tcp") {
            ports.push_back(mapping.private_port);
        }
    }
    if (ports.empty()) {
        return 0;
    }
    return *std::min_element(ports.begin(), ports.end());
}

} // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    if (text.size() < 2) {
        return std::nullopt;
    }
    const char unit = text.back();
    auto number = parse_number(text.substr(0, text.size() - 1));
    if (!number || *number == 0) {
        return std::nullopt;
    }
    switch (unit) {
    case 's': return std::chrono::seconds(*number);
    case 'm': return std::chrono::minutes(*number);
    case 'h': return std::chrono::hours(*number);
    default: return std::nullopt;
    }
}

Result<std::vector<HttpEndpoint>> parse_endpoints(std::string_view text)
{
    std::vector<HttpEndpoint> endpoints;
    for (const auto& item : heal::split_list(text)) {
        HttpEndpoint endpoint;
        std::string_view rest = item;
        const auto equals = rest.find('=');
        endpoint.path = std::string(rest.substr(0, equals));
        if (endpoint.path.empty() || endpoint.path.front() != '/') {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("endpoint '{}' must start with '/' (e.g. /health or /health=200~ok)", item));
        }
        if (equals != std::string_view::npos) {
            rest = rest.substr(equals + 1);
            const auto tilde = rest.find('~');
            auto status = parse_number(rest.substr(0, tilde));
            if (!status || *status < 100 || *status > 599) {
                return fail(ErrorKind::invalid_argument,
                            fmt::format("endpoint '{}': the expected status must be 100-599", item));
            }
            endpoint.expect_status = static_cast<int>(*status);
            if (tilde != std::string_view::npos) {
                endpoint.body_contains = std::string(rest.substr(tilde + 1));
            }
        }
        endpoints.push_back(std::move(endpoint));
    }
    if (endpoints.empty()) {
        return fail(ErrorKind::invalid_argument, "no endpoint given");
    }
    return endpoints;
}

std::optional<Address> resolve_address(const docker::ContainerDetails& container, std::uint16_t port)
{
    if (auto text = label(container, "medic.probe.address")) {
        return parse_address(*text);
    }
    if (port == 0) {
        return std::nullopt;
    }
    if (container.network_mode == "host") {
        return Address{"127.0.0.1", port, "host network"};
    }
    for (const auto& mapping : container.ports) {
        if (mapping.private_port == port && mapping.public_port != 0 &&
            (mapping.protocol.empty() || mapping.protocol == "tcp")) {
            // Published on every address or on loopback: loopback reaches it from this host.
            const bool ipv6 = mapping.ip.find(':') != std::string::npos;
            std::string host = is_loopback_or_any(mapping.ip) ? (ipv6 ? "::1" : "127.0.0.1") : mapping.ip;
            return Address{host, mapping.public_port, "published port"};
        }
    }
    for (const auto& [network, ip] : container.addresses) {
        return Address{ip, port, "network " + network};
    }
    return std::nullopt;
}

ProbePlan plan_probes(const docker::ContainerDetails& container, const PlanOptions& options)
{
    ProbePlan plan;
    plan.profile = heal::detect_profile(container);
    const auto& traits = heal::traits_of(plan.profile);

    std::chrono::milliseconds interval = traits.probe_interval;
    if (auto text = label(container, "medic.probe.interval")) {
        if (auto parsed = parse_duration(*text)) {
            interval = *parsed;
        } else {
            plan.problems.push_back(fmt::format("medic.probe.interval={}: not a duration such as 30s", *text));
        }
    }
    std::chrono::milliseconds timeout = options.timeout;
    if (auto text = label(container, "medic.probe.timeout")) {
        if (auto parsed = parse_duration(*text)) {
            timeout = *parsed;
        } else {
            plan.problems.push_back(fmt::format("medic.probe.timeout={}: not a duration such as 5s", *text));
        }
    }
    auto make = [&](std::string kind) {
        ProbeSpec spec;
        spec.kind = std::move(kind);
        spec.interval = interval;
        spec.timeout = timeout;
        return spec;
    };

    std::optional<std::vector<std::string>> chosen; // medic.probes: the kinds to run, or none
    if (auto text = label(container, "medic.probes")) {
        chosen = heal::split_list(*text);
        for (const auto& kind : *chosen) {
            if (kind != "none" && find_probe(kind) == nullptr) {
                plan.problems.push_back(fmt::format("medic.probes: unknown probe '{}'", kind));
            }
        }
        if (std::find(chosen->begin(), chosen->end(), "none") != chosen->end()) {
            return plan;
        }
    }
    auto wanted = [&](std::string_view kind, bool by_default) {
        if (chosen) {
            return std::find(chosen->begin(), chosen->end(), kind) != chosen->end();
        }
        return by_default;
    };

    const auto port = service_port(container, plan.profile);
    const auto address = resolve_address(container, port);
    if (label(container, "medic.probe.address") && !address) {
        plan.problems.push_back(
            fmt::format("medic.probe.address={}: expected HOST:PORT", *label(container, "medic.probe.address")));
    }

    std::vector<HttpEndpoint> endpoints;
    if (auto text = label(container, "medic.http.endpoints")) {
        if (auto parsed = parse_endpoints(*text)) {
            endpoints = std::move(*parsed);
        } else {
            plan.problems.push_back(fmt::format("medic.http.endpoints: {}", parsed.error().message));
        }
    } else if (!traits.health_path.empty()) {
        HttpEndpoint endpoint;
        endpoint.path = std::string(traits.health_path);
        endpoint.expect_status = 200;
        endpoint.health_checks = true;
        endpoints.push_back(std::move(endpoint));
    }

    if (options.with_docker_health && container.health && wanted("docker-health", true)) {
        plan.probes.push_back(make("docker-health"));
    }
    for (std::string_view kind : {"redis", "postgres"}) {
        if (address && wanted(kind, traits.probe == kind)) {
            auto spec = make(std::string(kind));
            spec.address = address;
            plan.probes.push_back(std::move(spec));
        }
    }
    if (address && !endpoints.empty() && wanted("http", true)) {
        auto spec = make("http");
        spec.address = address;
        spec.endpoints = endpoints;
        plan.probes.push_back(std::move(spec));
    }
    // A service medic has no deeper probe for is at least asked to accept a connection.
    const bool deeper = std::any_of(plan.probes.begin(), plan.probes.end(),
                                    [](const ProbeSpec& spec) { return spec.kind != "docker-health"; });
    if (address && wanted("tcp", !deeper)) {
        auto spec = make("tcp");
        spec.address = address;
        plan.probes.push_back(std::move(spec));
    }
    if (auto text = label(container, "medic.probe.exec"); text && wanted("exec", true)) {
        auto spec = make("exec");
        // Words separated by spaces, as the argument vector: no shell is involved.
        std::string_view rest = *text;
        while (!rest.empty()) {
            const auto start = rest.find_first_not_of(' ');
            if (start == std::string_view::npos) {
                break;
            }
            rest = rest.substr(start);
            const auto end = rest.find(' ');
            spec.command.emplace_back(rest.substr(0, end));
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        }
        if (!spec.command.empty()) {
            plan.probes.push_back(std::move(spec));
        }
    }
    for (auto kind : {"redis", "postgres", "http", "tcp"}) {
        if (chosen && wanted(kind, false) && !address) {
            plan.problems.push_back(
                fmt::format("probe {}: no address to connect to (publish the port or set medic.probe.address)", kind));
        }
    }
    return plan;
}

} // namespace medic::probe
