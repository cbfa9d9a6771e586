#include "cli/api_client.hpp"

#include <fstream>
#include <tuple>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "cli/daemon_connection.hpp"
#include "cli/settings.hpp"
#include "docker/http_transport.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

std::optional<std::string> read_token(const std::string& path)
{
    std::ifstream file(path);
    std::string token;
    if (!file || !std::getline(file, token) || token.empty()) {
        return std::nullopt;
    }
    return token;
}

/// medic's API at host:port ("[::1]:9470" too) as an endpoint of the HTTP transport.
docker::Endpoint api_endpoint(const std::string& address)
{
    docker::Endpoint endpoint;
    endpoint.transport = docker::Transport::tcp;
    std::tie(endpoint.host, endpoint.port) = api::split_listen_address(address);
    if (endpoint.host == "0.0.0.0" || endpoint.host == "::") {
        endpoint.host = "127.0.0.1"; // listening everywhere includes loopback
    }
    return endpoint;
}

/// GET `target` with the token.
docker::HttpRequest api_request(std::string_view target, std::string_view accept, const std::string& token)
{
    docker::HttpRequest request;
    request.target = std::string(target);
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", std::string(accept)}};
    return request;
}

std::string api_error_message(unsigned status, const std::string& body)
{
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
        return fmt::format("{} ({})", parsed["error"].get<std::string>(), status);
    }
    return fmt::format("the API answered {}", status);
}

} // namespace

Result<ApiClient> ApiClient::connect(const ApiClientOptions& options)
{
    auto address = options.address.value_or(read_process_environment("MEDIC_LISTEN").value_or("127.0.0.1:9470"));
    if (auto valid = validate_listen_address(address); !valid) {
        return tl::unexpected(valid.error());
    }
    if (auto token = read_process_environment("MEDIC_API_TOKEN")) {
        return ApiClient(address, *token);
    }
    const auto data_dir =
        options.data_dir.value_or(read_process_environment("MEDIC_DATA_DIR").value_or("/var/lib/medic"));
    for (const auto file : {api::k_operator_token_file, api::k_viewer_token_file}) {
        if (auto token = read_token(fmt::format("{}/{}", data_dir, file))) {
            return ApiClient(address, *token);
        }
    }
    return fail(ErrorKind::invalid_argument,
                fmt::format("no API token: none readable in {}/{} or {}/{} (pass --data-dir, or set MEDIC_API_TOKEN)",
                            data_dir, api::k_operator_token_file, data_dir, api::k_viewer_token_file));
}

std::string ApiClient::explain(const Error& error) const
{
    if (error.kind == ErrorKind::connect_failed) {
        return fmt::format("medic run is not answering at {} (is it running? pass --api HOST:PORT if it listens "
                           "elsewhere)",
                           m_address);
    }
    return error.message;
}

Result<std::string> ApiClient::get(std::string_view target) const
{
    asio::io_context io;
    docker::TransportLimits limits;
    limits.max_body_size = 256U * 1024U * 1024U;
    auto transport = docker::HttpTransport::create(io.get_executor(), api_endpoint(m_address), limits, "medic run");
    if (!transport) {
        return tl::unexpected(transport.error());
    }
    auto response = run_blocking(io, (*transport)->request(api_request(target, "application/json", m_token)));
    if (!response) {
        return tl::unexpected(response.error());
    }
    if (response->status != 200) {
        return fail(ErrorKind::daemon, api_error_message(response->status, response->body));
    }
    return std::move(response->body);
}

namespace {

/// Splits an event stream at blank lines and hands each event to `on_event` until it
/// returns false or the server ends the stream.
asio::awaitable<Result<void>> read_events(docker::ResponseStream& stream,
                                          const std::function<bool(std::string_view, std::string_view)>& on_event)
{
    std::string pending;
    while (true) {
        std::size_t end = 0;
        while ((end = pending.find("\n\n")) != std::string::npos) {
            const auto block = std::string_view(pending).substr(0, end);
            std::string_view event = "message";
            std::string_view data;
            std::size_t start = 0;
            while (start < block.size()) {
                auto line_end = block.find('\n', start);
                if (line_end == std::string_view::npos) {
                    line_end = block.size();
                }
                const auto line = block.substr(start, line_end - start);
                if (line.starts_with("event: ")) {
                    event = line.substr(7);
                } else if (line.starts_with("data: ")) {
                    data = line.substr(6);
                }
                start = line_end + 1;
            }
            const bool comment = block.starts_with(":");
            if (!comment && !on_event(event, data)) {
                stream.close();
                co_return Result<void>{};
            }
            pending.erase(0, end + 2);
        }
        auto piece = co_await stream.read_some(std::chrono::milliseconds(0));
        if (!piece || piece->empty()) {
            co_return Result<void>{}; // the server ended the stream
        }
        pending.append(*piece);
    }
}

asio::awaitable<Result<void>> follow_events(docker::HttpTransport& transport, docker::HttpRequest request,
                                            const std::function<bool(std::string_view, std::string_view)>& on_event)
{
    auto stream = co_await transport.open_stream(std::move(request));
    if (!stream) {
        auto error = stream.error();
        if (error.kind == ErrorKind::daemon) {
            // The API refuses with {"error": ...}; the transport kept that text as the message.
            error.message = api_error_message(error.http_status, error.message);
        }
        co_return tl::unexpected(error);
    }
    if ((*stream)->status() != 200) {
        co_return fail(ErrorKind::daemon, fmt::format("the API answered {}", (*stream)->status()));
    }
    co_return co_await read_events(**stream, on_event);
}

} // namespace

Result<void> ApiClient::stream(std::string_view target,
                               const std::function<bool(std::string_view, std::string_view)>& on_event) const
{
    asio::io_context io;
    auto transport = docker::HttpTransport::create(io.get_executor(), api_endpoint(m_address), {}, "medic run");
    if (!transport) {
        return tl::unexpected(transport.error());
    }
    return run_blocking(io, follow_events(**transport, api_request(target, "text/event-stream", m_token), on_event));
}

} // namespace medic::cli
