#include "cli/api_client.hpp"

#include <fstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "cli/settings.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::optional<std::string> read_token(const std::string& path)
{
    std::ifstream file(path);
    std::string token;
    if (!file || !std::getline(file, token) || token.empty()) {
        return std::nullopt;
    }
    return token;
}

/// A connected socket to host:port, or the error.
Result<void> open_socket(asio::io_context& io, tcp::socket& socket, const std::string& address)
{
    const auto colon = address.rfind(':');
    auto host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[') {
        host = host.substr(1, host.size() - 2);
    }
    if (host == "0.0.0.0" || host == "::") {
        host = "127.0.0.1"; // listening everywhere includes loopback
    }
    boost::system::error_code error;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host, address.substr(colon + 1), error);
    if (!error) {
        asio::connect(socket, endpoints, error);
    }
    if (error) {
        return fail(ErrorKind::connect_failed, fmt::format("cannot connect to {}: {}", address, error.message()));
    }
    return {};
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

void ApiClient::send_get(boost::asio::ip::tcp::socket& socket, std::string_view target, std::string_view accept,
                         boost::system::error_code& error) const
{
    http::request<http::empty_body> request{http::verb::get, std::string(target), 11};
    request.set(http::field::host, m_address);
    request.set(http::field::authorization, "Bearer " + m_token);
    request.set(http::field::accept, accept);
    http::write(socket, request, error);
}

Result<std::string> ApiClient::get(std::string_view target) const
{
    asio::io_context io;
    tcp::socket socket(io);
    if (auto opened = open_socket(io, socket, m_address); !opened) {
        return tl::unexpected(opened.error());
    }
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256U * 1024U * 1024U);
    boost::system::error_code error;
    send_get(socket, target, "application/json", error);
    if (!error) {
        http::read(socket, buffer, parser, error);
    }
    if (error) {
        return fail(ErrorKind::protocol, fmt::format("the API at {} did not answer: {}", m_address, error.message()));
    }
    auto response = parser.release();
    if (response.result_int() != 200) {
        return fail(ErrorKind::daemon, api_error_message(response.result_int(), response.body()));
    }
    return std::move(response.body());
}

Result<void> ApiClient::stream(std::string_view target,
                               const std::function<bool(std::string_view, std::string_view)>& on_event) const
{
    asio::io_context io;
    tcp::socket socket(io);
    if (auto opened = open_socket(io, socket, m_address); !opened) {
        return tl::unexpected(opened.error());
    }
    boost::beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    boost::system::error_code error;
    send_get(socket, target, "text/event-stream", error);
    if (!error) {
        http::read_header(socket, buffer, parser, error);
    }
    if (error) {
        return fail(ErrorKind::protocol, fmt::format("the API at {} did not answer: {}", m_address, error.message()));
    }
    if (parser.get().result_int() != 200) {
        http::response_parser<http::string_body> refusal{std::move(parser)};
        http::read(socket, buffer, refusal, error);
        return fail(ErrorKind::daemon, api_error_message(refusal.get().result_int(), refusal.get().body()));
    }
    // The body is the event stream: read what is buffered, then the socket, split at blank lines.
    std::string pending(static_cast<const char*>(buffer.data().data()), buffer.size());
    buffer.consume(buffer.size());
    std::array<char, 16384> chunk{};
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
                return {};
            }
            pending.erase(0, end + 2);
        }
        const auto size = socket.read_some(asio::buffer(chunk), error);
        if (error) {
            return {}; // the server ended the stream
        }
        pending.append(chunk.data(), size);
    }
}

} // namespace medic::cli
