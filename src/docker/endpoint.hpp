#pragma once
// Where the Docker daemon is and how to reach it, read the way the docker CLI
// reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace medic::docker {

enum class Transport { unix_socket, tcp, tls };

/// Client certificate files for a TLS connection; `verify` checks the daemon's
/// certificate against `ca_file` (DOCKER_TLS_VERIFY).
struct TlsFiles {
    std::string ca_file;
    std::string certificate_file;
    std::string key_file;
    bool verify = true;
};

/// One daemon address: a unix socket path, or a host and port (plain or TLS).
struct Endpoint {
    Transport transport = Transport::unix_socket;
    std::string socket_path;
    std::string host;
    std::string port;
    std::optional<TlsFiles> tls;

    /// The address as a person would type it: unix:///var/run/docker.sock, tcp://host:2376.
    [[nodiscard]] std::string to_string() const;
};

/// The environment variables that decide the endpoint, so tests can pass their own.
struct DockerEnvironment {
    std::optional<std::string> docker_host; ///< DOCKER_HOST
    std::optional<std::string> tls_verify;  ///< DOCKER_TLS_VERIFY (any non-empty value enables)
    std::optional<std::string> tls;         ///< DOCKER_TLS (TLS without verification)
    std::optional<std::string> cert_path;   ///< DOCKER_CERT_PATH
    std::optional<std::string> home;        ///< HOME, for the default ~/.docker

    /// Reads the variables of this process.
    static DockerEnvironment from_process();
};

inline constexpr std::string_view k_default_socket = "/var/run/docker.sock";

/// Parses `url` (unix://PATH, tcp://HOST:PORT, or a bare /path) with the TLS
/// settings of `environment`; an unsupported scheme or a missing port is an error.
Result<Endpoint> parse_endpoint(std::string_view url, const DockerEnvironment& environment);

/// The endpoint medic uses: `override_url` (--docker-host) when given, else
/// DOCKER_HOST, else the default socket.
Result<Endpoint> resolve_endpoint(const std::optional<std::string>& override_url, const DockerEnvironment& environment);

} // namespace medic::docker
