#include "heal/volume_helper.hpp"

#include <unistd.h>

#include <charconv>

#include <fmt/format.h>

#include "docker/log_stream.hpp"

namespace medic::heal {
namespace {

namespace asio = boost::asio;

bool is_number(std::string_view text)
{
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

} // namespace

asio::awaitable<Result<HelperRun>> VolumeHelper::run_in(const std::string& image,
                                                        const docker::ContainerDetails& container,
                                                        const std::vector<std::string>& command,
                                                        const HelperOptions& options)
{
    docker::ContainerSpec spec;
    spec.image = image;
    spec.entrypoint = std::vector<std::string>{command.front()};
    spec.command.assign(command.begin() + 1, command.end());
    spec.user = options.user;
    spec.group_add = options.group_add;
    if (options.volumes_from) {
        spec.volumes_from = {container.id};
    }
    spec.binds = options.binds;
    spec.network_mode = "none";
    spec.labels = {{"medic.helper", "true"}, {"medic.helper.for", container.name}};
    // The pid too: a second medic on the same host (a test, a bench) never collides.
    const auto name = fmt::format("medic-helper-{}-{}-{}", container.id.substr(0, 12), ::getpid(), ++m_runs);
    auto created = co_await m_client.create_container(name, spec);
    if (!created) {
        co_return tl::unexpected(created.error());
    }
    const std::string id = *created;
    HelperRun result;
    result.image = image == container.image_id ? container.image : image; // the name people know
    auto started = co_await m_client.start_container(id);
    if (!started) {
        // "exec: "sh": executable file not found": the image lacks the command.
        result.exit_code = 127;
        result.output = started.error().message;
    } else {
        auto exit_code = co_await m_client.wait_container(id, "not-running", std::chrono::minutes(10));
        result.exit_code = exit_code ? *exit_code : -1;
        docker::LogOptions log_options;
        log_options.tail = "200";
        if (auto logs = co_await m_client.open_logs(id, log_options)) {
            for (;;) {
                auto line = co_await (*logs)->next(std::chrono::seconds(10));
                if (!line || !*line) {
                    break;
                }
                result.output += (**line).text + "\n";
            }
        }
        if (!exit_code) {
            result.output += exit_code.error().message;
        }
    }
    docker::RemoveOptions remove;
    remove.force = true;
    co_await m_client.remove_container(id, remove);
    co_return result;
}

asio::awaitable<Result<HelperRun>> VolumeHelper::run(const docker::ContainerDetails& container,
                                                     std::vector<std::string> command, HelperOptions options)
{
    if (command.empty()) {
        co_return fail(ErrorKind::invalid_argument, "helper command is empty");
    }
    if (options.image == HelperImage::own_then_fallback && !container.image_id.empty()) {
        auto own = co_await run_in(container.image_id, container, command, options);
        if (!own || (own->exit_code != 126 && own->exit_code != 127)) {
            co_return own;
        }
    }
    co_return co_await run_in(m_fallback_image, container, command, options);
}

asio::awaitable<Result<HelperRun>> VolumeHelper::run(const docker::ContainerDetails& container,
                                                     std::vector<std::string> command)
{
    HelperOptions options;
    co_return co_await run(container, std::move(command), options);
}

asio::awaitable<Result<std::string>> resolve_owner(VolumeHelper& helper, const docker::ContainerDetails& container,
                                                   std::string fallback)
{
    const std::string user = container.user;
    const auto colon = user.find(':');
    const std::string name = user.substr(0, colon);
    const std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
    if (name.empty() || name == "0" || name == "root") {
        if (fallback.empty()) {
            co_return fail(ErrorKind::invalid_argument,
                           "the container runs as root and its profile names no owner: nothing to chown to");
        }
        co_return fallback;
    }
    if (is_number(name) && (group.empty() || is_number(group))) {
        co_return name + ":" + (group.empty() ? name : group);
    }
    // A user name: ask the image's own /etc/passwd.
    const std::vector<std::string> command{"id", name};
    auto answer = co_await helper.run(container, command);
    if (!answer) {
        co_return tl::unexpected(answer.error());
    }
    auto identity = parse_id_output(answer->output);
    if (answer->exit_code != 0 || !identity) {
        co_return fail(ErrorKind::invalid_argument,
                       fmt::format("user '{}' is unknown in the image {}: {}", name, container.image, answer->output));
    }
    co_return fmt::format("{}:{}", identity->uid, identity->gid);
}

std::optional<Identity> parse_id_output(std::string_view text)
{
    // "uid=999(redis) gid=999(redis) groups=999(redis),1500(data)"
    auto number_after = [&](std::string_view key) -> std::optional<unsigned> {
        const auto at = text.find(key);
        if (at == std::string_view::npos) {
            return std::nullopt;
        }
        unsigned value = 0;
        const auto* start = text.data() + at + key.size();
        auto [end, error] = std::from_chars(start, text.data() + text.size(), value);
        if (error != std::errc{} || end == start) {
            return std::nullopt;
        }
        return value;
    };
    const auto uid = number_after("uid=");
    const auto gid = number_after("gid=");
    if (!uid || !gid) {
        return std::nullopt;
    }
    Identity identity{*uid, *gid, {}};
    if (const auto groups = text.find("groups="); groups != std::string_view::npos) {
        auto list = text.substr(groups + 7);
        list = list.substr(0, list.find_first_of(" \n"));
        std::size_t start = 0;
        while (start < list.size()) {
            auto end = list.find(',', start);
            if (end == std::string_view::npos) {
                end = list.size();
            }
            unsigned group = 0;
            auto [stop, error] = std::from_chars(list.data() + start, list.data() + end, group);
            if (error == std::errc{} && group != identity.gid) {
                identity.groups.push_back(group);
            }
            (void)stop;
            start = end + 1;
        }
    }
    return identity;
}

const docker::MountInfo* mount_holding(const docker::ContainerDetails& container, const std::string& path)
{
    const docker::MountInfo* best = nullptr;
    for (const auto& mount : container.mounts) {
        const auto& destination = mount.destination;
        const bool holds = path == destination || (path.starts_with(destination) && path.size() > destination.size() &&
                                                   (path[destination.size()] == '/' || destination == "/"));
        if (holds && (best == nullptr || destination.size() > best->destination.size())) {
            best = &mount;
        }
    }
    return best;
}

} // namespace medic::heal
