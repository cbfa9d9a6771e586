#include "docker/client.hpp"

#include <charconv>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "docker/event_stream.hpp"
#include "docker/json_codec.hpp"
#include "docker/log_stream.hpp"

namespace medic::docker {
namespace {

using boost::asio::awaitable;

/// Standard base64 to bytes (OpenSSL's decoder); "" when it is not base64.
std::string decode_base64(std::string_view text)
{
    std::string bytes(text.size() / 4 * 3 + 3, '\0');
    const int length =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                        reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (length < 0) {
        return {};
    }
    // EVP_DecodeBlock counts the padding as bytes.
    auto size = static_cast<std::size_t>(length);
    for (auto end = text.rbegin(); end != text.rend() && *end == '=' && size > 0; ++end) {
        --size;
    }
    bytes.resize(size);
    return bytes;
}

std::pair<int, int> split_version(std::string_view version)
{
    int major = 0;
    int minor = 0;
    const auto dot = version.find('.');
    std::from_chars(version.data(), version.data() + version.substr(0, dot).size(), major);
    if (dot != std::string_view::npos) {
        std::from_chars(version.data() + dot + 1, version.data() + version.size(), minor);
    }
    return {major, minor};
}

/// Unwraps a Result<HttpResponse> into the parsed T, or passes the error on.
template <typename T, typename Parse>
Result<T> decode(const Result<HttpResponse>& response, Parse parse)
{
    if (!response) {
        return tl::unexpected(response.error());
    }
    return parse(response->body);
}

Result<void> discard(const Result<HttpResponse>& response)
{
    if (!response) {
        return tl::unexpected(response.error());
    }
    return {};
}

std::string_view prune_path(PruneTarget target)
{
    switch (target) {
    case PruneTarget::containers: return "/containers/prune";
    case PruneTarget::images: return "/images/prune";
    case PruneTarget::networks: return "/networks/prune";
    case PruneTarget::build_cache: return "/build/prune";
    }
    return "/containers/prune";
}

/// A name or id goes into a URL path: it must not contain characters that change the path.
Result<void> check_reference(std::string_view reference)
{
    if (reference.empty() || reference.find_first_of("/?#% \t\r\n") != std::string_view::npos) {
        return fail(ErrorKind::invalid_argument,
                    fmt::format("'{}' is not a valid container, image or volume name", reference));
    }
    return {};
}

} // namespace

int compare_api_versions(std::string_view left, std::string_view right)
{
    auto a = split_version(left);
    auto b = split_version(right);
    return a < b ? -1 : (a == b ? 0 : 1);
}

std::string negotiate_api_version(std::string_view client, std::string_view server)
{
    if (server.empty()) {
        return std::string(client);
    }
    return std::string(compare_api_versions(server, client) < 0 ? server : client);
}

std::string url_encode(std::string_view text)
{
    std::string encoded;
    encoded.reserve(text.size());
    for (unsigned char character : text) {
        if (std::isalnum(character) != 0 || character == '-' || character == '_' || character == '.' ||
            character == '~') {
            encoded.push_back(static_cast<char>(character));
        } else {
            encoded += fmt::format("%{:02X}", character);
        }
    }
    return encoded;
}

DockerClient::DockerClient(std::shared_ptr<HttpTransport> transport, ClientOptions options)
    : m_transport(std::move(transport)), m_options(options)
{
}

Result<std::unique_ptr<DockerClient>> DockerClient::create(boost::asio::any_io_executor executor, Endpoint endpoint,
                                                           ClientOptions options)
{
    auto transport = HttpTransport::create(std::move(executor), std::move(endpoint), options.limits);
    if (!transport) {
        return tl::unexpected(transport.error());
    }
    return std::make_unique<DockerClient>(std::move(*transport), options);
}

std::string DockerClient::versioned(std::string_view path) const
{
    return fmt::format("/v{}{}", m_api_version, path);
}

awaitable<Result<HttpResponse>> DockerClient::call(HttpMethod method, std::string path, std::string body,
                                                   std::chrono::milliseconds timeout)
{
    HttpRequest request;
    request.method = method;
    request.target = versioned(path);
    request.body = std::move(body);
    request.timeout = timeout.count() > 0 ? timeout : m_options.call_timeout;
    auto response = co_await m_transport->request(std::move(request));
    if (response && response->status >= 400) {
        co_return tl::unexpected(daemon_error(response->status, response->body));
    }
    co_return response;
}

awaitable<Result<void>> DockerClient::ping()
{
    HttpRequest request{HttpMethod::get, "/_ping", {}, {}, m_options.call_timeout};
    auto response = co_await m_transport->request(std::move(request));
    if (!response) {
        co_return tl::unexpected(response.error());
    }
    if (response->status != 200) {
        co_return tl::unexpected(daemon_error(response->status, response->body));
    }
    co_return Result<void>{};
}

awaitable<Result<VersionInfo>> DockerClient::negotiate()
{
    // /_ping answers with the daemon's Api-Version header; /version is unversioned
    // too and gives the minimum. Neither needs a version in the path.
    HttpRequest ping_request{HttpMethod::get, "/_ping", {}, {}, m_options.call_timeout};
    auto pinged = co_await m_transport->request(std::move(ping_request));
    if (!pinged) {
        co_return tl::unexpected(pinged.error());
    }
    HttpRequest version_request{HttpMethod::get, "/version", {}, {}, m_options.call_timeout};
    auto version_response = co_await m_transport->request(std::move(version_request));
    if (!version_response) {
        co_return tl::unexpected(version_response.error());
    }
    if (version_response->status >= 400) {
        co_return tl::unexpected(daemon_error(version_response->status, version_response->body));
    }
    auto info = parse_version(version_response->body);
    if (!info) {
        co_return tl::unexpected(info.error());
    }
    const std::string server = !pinged->api_version.empty() ? pinged->api_version : info->server_api_version;
    const std::string chosen = negotiate_api_version(k_client_api_version, server);
    if (compare_api_versions(chosen, k_minimum_api_version) < 0) {
        co_return fail(ErrorKind::invalid_argument,
                       fmt::format("the Docker daemon at {} speaks API {}, older than the {} medic needs",
                                   endpoint().to_string(), chosen, k_minimum_api_version));
    }
    if (!info->minimum_api_version.empty() && compare_api_versions(chosen, info->minimum_api_version) < 0) {
        co_return fail(ErrorKind::invalid_argument,
                       fmt::format("the Docker daemon at {} needs API {} or newer; medic speaks up to {}",
                                   endpoint().to_string(), info->minimum_api_version, k_client_api_version));
    }
    m_api_version = chosen;
    info->negotiated_api_version = chosen;
    co_return info;
}

awaitable<Result<std::vector<ContainerSummary>>> DockerClient::list_containers(ListContainersOptions options)
{
    std::string path = fmt::format("/containers/json?all={}", options.all ? 1 : 0);
    if (!options.filters.empty()) {
        path += "&filters=" + url_encode(encode_filters(options.filters));
    }
    co_return decode<std::vector<ContainerSummary>>(co_await call(HttpMethod::get, path), parse_container_list);
}

awaitable<Result<ContainerDetails>> DockerClient::inspect_container(std::string_view id_or_name)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return tl::unexpected(valid.error());
    }
    co_return decode<ContainerDetails>(co_await call(HttpMethod::get, fmt::format("/containers/{}/json", id_or_name)),
                                       parse_container_details);
}

awaitable<Result<ProcessList>> DockerClient::top(std::string_view id_or_name, std::string_view ps_arguments)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return tl::unexpected(valid.error());
    }
    auto path = fmt::format("/containers/{}/top", id_or_name);
    if (!ps_arguments.empty()) {
        path += "?ps_args=" + url_encode(ps_arguments);
    }
    co_return decode<ProcessList>(co_await call(HttpMethod::get, path), parse_process_list);
}

awaitable<Result<PathStat>> DockerClient::stat_path(std::string_view id_or_name, std::string_view path)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return tl::unexpected(valid.error());
    }
    auto answer =
        co_await call(HttpMethod::head, fmt::format("/containers/{}/archive?path={}", id_or_name, url_encode(path)));
    if (!answer) {
        auto error = answer.error();
        if (error.is_status(404) && error.message.empty()) {
            error.message = fmt::format("{} does not exist in the container", path);
        }
        co_return tl::unexpected(std::move(error));
    }
    const auto header = answer->headers.find("x-docker-container-path-stat");
    if (header == answer->headers.end()) {
        co_return fail(ErrorKind::protocol, "the daemon sent no X-Docker-Container-Path-Stat header");
    }
    co_return parse_path_stat(decode_base64(header->second));
}

awaitable<Result<std::string>> DockerClient::create_container(std::string_view name, const ContainerSpec& spec)
{
    co_return co_await create_container_from_json(name, encode_container_spec(spec));
}

awaitable<Result<std::string>> DockerClient::create_container_from_json(std::string_view name, std::string body_json)
{
    std::string path = "/containers/create";
    if (!name.empty()) {
        path += "?name=" + url_encode(name);
    }
    co_return decode<std::string>(co_await call(HttpMethod::post, path, std::move(body_json)), parse_created_id);
}

awaitable<Result<void>> DockerClient::start_container(std::string_view id_or_name)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return valid;
    }
    co_return discard(co_await call(HttpMethod::post, fmt::format("/containers/{}/start", id_or_name)));
}

awaitable<Result<void>> DockerClient::stop_container(std::string_view id_or_name, int timeout_seconds)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return valid;
    }
    auto timeout = m_options.call_timeout + std::chrono::seconds(timeout_seconds);
    co_return discard(co_await call(HttpMethod::post,
                                    fmt::format("/containers/{}/stop?t={}", id_or_name, timeout_seconds), {}, timeout));
}

awaitable<Result<void>> DockerClient::restart_container(std::string_view id_or_name, int timeout_seconds)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return valid;
    }
    auto timeout = m_options.call_timeout + std::chrono::seconds(timeout_seconds);
    co_return discard(co_await call(
        HttpMethod::post, fmt::format("/containers/{}/restart?t={}", id_or_name, timeout_seconds), {}, timeout));
}

awaitable<Result<void>> DockerClient::kill_container(std::string_view id_or_name, std::string_view signal)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return valid;
    }
    co_return discard(
        co_await call(HttpMethod::post, fmt::format("/containers/{}/kill?signal={}", id_or_name, url_encode(signal))));
}

awaitable<Result<void>> DockerClient::remove_container(std::string_view id_or_name, RemoveOptions options)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return valid;
    }
    co_return discard(co_await call(HttpMethod::delete_,
                                    fmt::format("/containers/{}?force={}&v={}", id_or_name, options.force ? 1 : 0,
                                                options.remove_anonymous_volumes ? 1 : 0)));
}

awaitable<Result<void>> DockerClient::rename_container(std::string_view id_or_name, std::string_view new_name)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return valid;
    }
    co_return discard(co_await call(HttpMethod::post,
                                    fmt::format("/containers/{}/rename?name={}", id_or_name, url_encode(new_name))));
}

awaitable<Result<int>> DockerClient::wait_container(std::string_view id_or_name, std::string_view condition,
                                                    std::chrono::milliseconds timeout)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return tl::unexpected(valid.error());
    }
    co_return decode<int>(
        co_await call(HttpMethod::post,
                      fmt::format("/containers/{}/wait?condition={}", id_or_name, url_encode(condition)), {}, timeout),
        parse_wait_status);
}

awaitable<Result<std::string>> DockerClient::create_exec(std::string_view container, const ExecSpec& spec)
{
    if (auto valid = check_reference(container); !valid) {
        co_return tl::unexpected(valid.error());
    }
    if (spec.command.empty()) {
        co_return fail(ErrorKind::invalid_argument, "exec: the command is empty");
    }
    co_return decode<std::string>(
        co_await call(HttpMethod::post, fmt::format("/containers/{}/exec", container), encode_exec_spec(spec)),
        parse_created_id);
}

awaitable<Result<ExecOutput>> DockerClient::start_exec(std::string_view exec_id, std::chrono::milliseconds timeout)
{
    if (auto valid = check_reference(exec_id); !valid) {
        co_return tl::unexpected(valid.error());
    }
    HttpRequest request{HttpMethod::post, versioned(fmt::format("/exec/{}/start", exec_id)),
                        R"({"Detach":false,"Tty":false})", "application/json", timeout};
    auto stream = co_await m_transport->open_stream(std::move(request));
    if (!stream) {
        co_return tl::unexpected(stream.error());
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    ExecOutput output;
    FrameDemuxer demuxer;
    const std::size_t cap = m_options.max_exec_output;
    auto sink = [&](OutputStream which, std::string_view payload) {
        std::string& target = which == OutputStream::stderr_stream ? output.stderr_text : output.stdout_text;
        const std::size_t room = cap - std::min(cap, target.size());
        if (payload.size() > room) {
            output.truncated = true;
        }
        target.append(payload.substr(0, room));
    };
    for (;;) {
        auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (remaining.count() <= 0) {
            co_return fail(ErrorKind::timeout,
                           fmt::format("exec {} did not finish within {} ms", exec_id, timeout.count()));
        }
        auto piece = co_await (*stream)->read_some(remaining);
        if (!piece) {
            // The daemon closes a hijacked exec stream without a clean HTTP end.
            if (piece.error().kind == ErrorKind::truncated) {
                break;
            }
            co_return tl::unexpected(piece.error());
        }
        if (piece->empty()) {
            break;
        }
        if (auto fed = demuxer.feed(*piece, sink); !fed) {
            co_return tl::unexpected(fed.error());
        }
    }
    if (auto finished = demuxer.finish(); !finished) {
        co_return tl::unexpected(finished.error());
    }
    co_return output;
}

awaitable<Result<ExecState>> DockerClient::inspect_exec(std::string_view exec_id)
{
    if (auto valid = check_reference(exec_id); !valid) {
        co_return tl::unexpected(valid.error());
    }
    co_return decode<ExecState>(co_await call(HttpMethod::get, fmt::format("/exec/{}/json", exec_id)),
                                parse_exec_state);
}

awaitable<Result<ExecOutput>> DockerClient::exec(std::string_view container, const ExecSpec& spec,
                                                 std::chrono::milliseconds timeout)
{
    auto id = co_await create_exec(container, spec);
    if (!id) {
        co_return tl::unexpected(id.error());
    }
    auto output = co_await start_exec(*id, timeout);
    if (!output) {
        co_return output;
    }
    auto state = co_await inspect_exec(*id);
    if (!state) {
        co_return tl::unexpected(state.error());
    }
    output->exit_code = state->exit_code.value_or(-1);
    co_return output;
}

awaitable<Result<std::unique_ptr<LogStream>>> DockerClient::open_logs(std::string_view id_or_name, LogOptions options)
{
    auto details = co_await inspect_container(id_or_name);
    if (!details) {
        co_return tl::unexpected(details.error());
    }
    std::string path = fmt::format("/containers/{}/logs?follow={}&stdout={}&stderr={}&timestamps={}&tail={}",
                                   details->id, options.follow ? 1 : 0, options.stdout_stream ? 1 : 0,
                                   options.stderr_stream ? 1 : 0, options.timestamps ? 1 : 0, url_encode(options.tail));
    if (!options.since.empty()) {
        path += "&since=" + url_encode(options.since);
    }
    if (!options.until.empty()) {
        path += "&until=" + url_encode(options.until);
    }
    HttpRequest request{HttpMethod::get, versioned(path), {}, {}, m_options.call_timeout};
    auto stream = co_await m_transport->open_stream(std::move(request));
    if (!stream) {
        co_return tl::unexpected(stream.error());
    }
    // API 1.42+ names the framing in Content-Type; older daemons: a TTY means raw.
    const auto& content_type = (*stream)->content_type();
    StreamFraming framing = details->tty ? StreamFraming::raw : StreamFraming::multiplexed;
    if (content_type.find("multiplexed-stream") != std::string::npos) {
        framing = StreamFraming::multiplexed;
    } else if (content_type.find("raw-stream") != std::string::npos) {
        framing = StreamFraming::raw;
    }
    co_return std::make_unique<LogStream>(std::move(*stream), framing, options.timestamps, options.max_line_length);
}

awaitable<Result<std::unique_ptr<EventStream>>> DockerClient::open_events(const EventOptions& options)
{
    std::string path = "/events";
    char separator = '?';
    auto add = [&](std::string_view key, const std::string& value) {
        path += fmt::format("{}{}={}", separator, key, url_encode(value));
        separator = '&';
    };
    if (!options.filters.empty()) {
        add("filters", encode_filters(options.filters));
    }
    if (!options.since.empty()) {
        add("since", options.since);
    }
    if (!options.until.empty()) {
        add("until", options.until);
    }
    HttpRequest request{HttpMethod::get, versioned(path), {}, {}, m_options.call_timeout};
    auto stream = co_await m_transport->open_stream(std::move(request));
    if (!stream) {
        co_return tl::unexpected(stream.error());
    }
    co_return std::make_unique<EventStream>(std::move(*stream));
}

awaitable<Result<std::vector<VolumeInfo>>> DockerClient::list_volumes()
{
    co_return decode<std::vector<VolumeInfo>>(co_await call(HttpMethod::get, "/volumes"), parse_volume_list);
}

awaitable<Result<VolumeInfo>> DockerClient::create_volume(std::string_view name, const Labels& labels)
{
    if (auto valid = check_reference(name); !valid) {
        co_return tl::unexpected(valid.error());
    }
    co_return decode<VolumeInfo>(co_await call(HttpMethod::post, "/volumes/create", encode_volume_create(name, labels)),
                                 parse_volume);
}

awaitable<Result<VolumeInfo>> DockerClient::inspect_volume(std::string_view name)
{
    if (auto valid = check_reference(name); !valid) {
        co_return tl::unexpected(valid.error());
    }
    co_return decode<VolumeInfo>(co_await call(HttpMethod::get, fmt::format("/volumes/{}", name)), parse_volume);
}

awaitable<Result<void>> DockerClient::remove_volume(std::string_view name)
{
    if (auto valid = check_reference(name); !valid) {
        co_return valid;
    }
    co_return discard(co_await call(HttpMethod::delete_, fmt::format("/volumes/{}", name)));
}

awaitable<Result<std::vector<NetworkInfo>>> DockerClient::list_networks()
{
    co_return decode<std::vector<NetworkInfo>>(co_await call(HttpMethod::get, "/networks"), parse_network_list);
}

awaitable<Result<NetworkInfo>> DockerClient::inspect_network(std::string_view id_or_name)
{
    if (auto valid = check_reference(id_or_name); !valid) {
        co_return tl::unexpected(valid.error());
    }
    co_return decode<NetworkInfo>(co_await call(HttpMethod::get, fmt::format("/networks/{}", id_or_name)),
                                  parse_network);
}

awaitable<Result<void>> DockerClient::connect_network(std::string_view network, std::string_view container)
{
    if (auto valid = check_reference(network); !valid) {
        co_return valid;
    }
    co_return discard(co_await call(HttpMethod::post, fmt::format("/networks/{}/connect", network),
                                    encode_network_member(container)));
}

awaitable<Result<void>> DockerClient::disconnect_network(std::string_view network, std::string_view container)
{
    if (auto valid = check_reference(network); !valid) {
        co_return valid;
    }
    co_return discard(co_await call(HttpMethod::post, fmt::format("/networks/{}/disconnect", network),
                                    encode_network_member(container)));
}

awaitable<Result<std::vector<ImageInfo>>> DockerClient::list_images()
{
    co_return decode<std::vector<ImageInfo>>(co_await call(HttpMethod::get, "/images/json"), parse_image_list);
}

awaitable<Result<ImageInfo>> DockerClient::inspect_image(std::string_view name)
{
    // Image names contain '/' (medic-test/redis): encode rather than refuse.
    if (name.empty()) {
        co_return fail(ErrorKind::invalid_argument, "image name is empty");
    }
    co_return decode<ImageInfo>(co_await call(HttpMethod::get, fmt::format("/images/{}/json", url_encode(name))),
                                parse_image);
}

awaitable<Result<SystemInfo>> DockerClient::system_info()
{
    co_return decode<SystemInfo>(co_await call(HttpMethod::get, "/info"), parse_system_info);
}

awaitable<Result<DiskUsage>> DockerClient::disk_usage()
{
    co_return decode<DiskUsage>(co_await call(HttpMethod::get, "/system/df", {}, std::chrono::minutes(2)),
                                parse_disk_usage);
}

awaitable<Result<PruneReport>> DockerClient::prune(PruneTarget target, const Labels& filters)
{
    std::string path(prune_path(target));
    if (!filters.empty()) {
        std::map<std::string, std::vector<std::string>> encoded;
        for (const auto& [key, value] : filters) {
            encoded[key].push_back(value);
        }
        path += "?filters=" + url_encode(encode_filters(encoded));
    }
    co_return decode<PruneReport>(co_await call(HttpMethod::post, path, {}, std::chrono::minutes(5)),
                                  [target](std::string_view body) { return parse_prune_report(target, body); });
}

awaitable<std::vector<std::string>> DockerClient::last_lines(std::string_view id_or_name, int count)
{
    std::vector<std::string> lines;
    LogOptions options;
    options.tail = std::to_string(count);
    auto stream = co_await open_logs(id_or_name, options);
    if (!stream) {
        co_return lines;
    }
    for (;;) {
        auto line = co_await (*stream)->next(std::chrono::seconds(5));
        if (!line || !*line) {
            break;
        }
        lines.push_back(std::move((*line)->text));
    }
    co_return lines;
}

} // namespace medic::docker
