#include "docker/endpoint.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace medic::docker {
namespace {

std::optional<std::string> read_variable(const char* name)
{
    const char* value = std::getenv(name);
    if (value == nullptr) {
        return std::nullopt;
    }
    return std::string(value);
}

bool is_set(const std::optional<std::string>& value)
{
    return value.has_value() && !value->empty();
}

bool is_all_digits(std::string_view text)
{
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

Result<Endpoint> parse_tcp(std::string_view rest, std::string_view url, const DockerEnvironment& environment)
{
    // Anything after the authority (a path) is not supported by the daemon either.
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        if (rest.substr(slash) != "/") {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("docker host '{}': a path after host:port is not supported", url));
        }
        rest = rest.substr(0, slash);
    }
    Endpoint endpoint;
    const bool use_tls = is_set(environment.tls_verify) || is_set(environment.tls);
    std::string_view port = use_tls ? "2376" : "2375";
    std::string_view host = rest;
    if (!rest.empty() && rest.front() == '[') { // [::1]:2375
        auto close = rest.find(']');
        if (close == std::string_view::npos) {
            return fail(ErrorKind::invalid_argument, fmt::format("docker host '{}': unclosed '[' in address", url));
        }
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') {
                return fail(ErrorKind::invalid_argument, fmt::format("docker host '{}': expected ':' after ']'", url));
            }
            port = rest.substr(close + 2);
        }
    } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) {
        return fail(ErrorKind::invalid_argument, fmt::format("docker host '{}': no host name", url));
    }
    if (!is_all_digits(port) || std::stoul(std::string(port)) > 65535 || std::stoul(std::string(port)) == 0) {
        return fail(ErrorKind::invalid_argument, fmt::format("docker host '{}': '{}' is not a port number", url, port));
    }
    endpoint.host = std::string(host);
    endpoint.port = std::string(port);
    endpoint.transport = Transport::tcp;
    if (use_tls) {
        std::string directory =
            is_set(environment.cert_path) ? *environment.cert_path : environment.home.value_or("") + "/.docker";
        endpoint.transport = Transport::tls;
        endpoint.tls = TlsFiles{directory + "/ca.pem", directory + "/cert.pem", directory + "/key.pem",
                                is_set(environment.tls_verify)};
    }
    return endpoint;
}

} // namespace

DockerEnvironment DockerEnvironment::from_process()
{
    return DockerEnvironment{read_variable("DOCKER_HOST"), read_variable("DOCKER_TLS_VERIFY"),
                             read_variable("DOCKER_TLS"), read_variable("DOCKER_CERT_PATH"), read_variable("HOME")};
}

std::string Endpoint::to_string() const
{
    switch (transport) {
    case Transport::unix_socket: return "unix://" + socket_path;
    case Transport::tcp: return fmt::format("tcp://{}:{}", host, port);
    case Transport::tls: return fmt::format("tcp://{}:{} (TLS)", host, port);
    }
    return {};
}

Result<Endpoint> parse_endpoint(std::string_view url, const DockerEnvironment& environment)
{
    if (url.empty()) {
        return fail(ErrorKind::invalid_argument, "docker host is empty");
    }
    if (url.starts_with("/")) {
        return Endpoint{Transport::unix_socket, std::string(url), {}, {}, std::nullopt};
    }
    if (url.starts_with("unix://")) {
        std::string_view path = url.substr(7);
        if (path.empty() || path.front() != '/') {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("docker host '{}': a unix socket needs an absolute path (unix:///path)", url));
        }
        return Endpoint{Transport::unix_socket, std::string(path), {}, {}, std::nullopt};
    }
    for (std::string_view scheme : {"tcp://", "http://", "https://"}) {
        if (url.starts_with(scheme)) {
            DockerEnvironment adjusted = environment;
            if (scheme == "https://" && !is_set(adjusted.tls_verify)) {
                adjusted.tls = "1";
            }
            return parse_tcp(url.substr(scheme.size()), url, adjusted);
        }
    }
    return fail(ErrorKind::invalid_argument,
                fmt::format("docker host '{}': unsupported scheme (use unix:///path or tcp://host:port)", url));
}

Result<Endpoint> resolve_endpoint(const std::optional<std::string>& override_url, const DockerEnvironment& environment)
{
    if (override_url.has_value()) {
        return parse_endpoint(*override_url, environment);
    }
    if (is_set(environment.docker_host)) {
        return parse_endpoint(*environment.docker_host, environment);
    }
    return parse_endpoint(std::string("unix://") + std::string(k_default_socket), environment);
}

} // namespace medic::docker
