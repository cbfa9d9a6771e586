#include "docker/json_codec.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace medic::docker {
namespace {

using nlohmann::json;

/// Parses JSON, turning a syntax error into a protocol Error naming `what`.
Result<json> parse_json(std::string_view text, std::string_view what)
{
    auto parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        std::string_view preview = text.substr(0, 120);
        return fail(ErrorKind::protocol, fmt::format("{}: not valid JSON: '{}'", what, preview));
    }
    return parsed;
}

/// Reads `key` as T, or `fallback` when it is absent, null or of another type.
template <typename T>
T get_or(const json& object, std::string_view key, T fallback = T{})
{
    if (!object.is_object()) {
        return fallback;
    }
    auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        return fallback;
    }
    if constexpr (std::is_same_v<T, std::string>) {
        return found->is_string() ? found->get<std::string>() : fallback;
    } else if constexpr (std::is_same_v<T, bool>) {
        return found->is_boolean() ? found->get<bool>() : fallback;
    } else {
        return found->is_number() ? found->get<T>() : fallback;
    }
}

const json& member(const json& object, std::string_view key)
{
    static const json k_null;
    if (!object.is_object()) {
        return k_null;
    }
    auto found = object.find(key);
    return found == object.end() ? k_null : *found;
}

Labels read_labels(const json& object)
{
    Labels labels;
    if (object.is_object()) {
        for (const auto& [key, value] : object.items()) {
            if (value.is_string()) {
                labels.emplace(key, value.get<std::string>());
            }
        }
    }
    return labels;
}

std::vector<std::string> read_strings(const json& array)
{
    std::vector<std::string> values;
    if (array.is_array()) {
        for (const auto& value : array) {
            if (value.is_string()) {
                values.push_back(value.get<std::string>());
            }
        }
    } else if (array.is_string()) {
        values.push_back(array.get<std::string>());
    }
    return values;
}

std::string strip_slash(std::string name)
{
    if (!name.empty() && name.front() == '/') {
        name.erase(0, 1);
    }
    return name;
}

template <typename Item, typename Parse>
Result<std::vector<Item>> parse_array(std::string_view text, std::string_view what, Parse parse_item)
{
    auto parsed = parse_json(text, what);
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    if (!parsed->is_array()) {
        return fail(ErrorKind::protocol, fmt::format("{}: expected a JSON array", what));
    }
    std::vector<Item> items;
    items.reserve(parsed->size());
    for (const auto& element : *parsed) {
        items.push_back(parse_item(element));
    }
    return items;
}

template <typename Item, typename Parse>
Result<Item> parse_object(std::string_view text, std::string_view what, Parse parse_item)
{
    auto parsed = parse_json(text, what);
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    if (!parsed->is_object()) {
        return fail(ErrorKind::protocol, fmt::format("{}: expected a JSON object", what));
    }
    return parse_item(*parsed);
}

std::vector<PortMapping> read_published_ports(const json& ports)
{
    // NetworkSettings.Ports: {"6379/tcp": [{"HostIp": "127.0.0.1", "HostPort": "16379"}] | null}
    std::vector<PortMapping> mappings;
    if (!ports.is_object()) {
        return mappings;
    }
    for (const auto& [key, bindings] : ports.items()) {
        PortMapping base;
        const auto slash = key.find('/');
        base.private_port = static_cast<std::uint16_t>(std::strtoul(key.substr(0, slash).c_str(), nullptr, 10));
        base.protocol = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
        if (!bindings.is_array() || bindings.empty()) {
            mappings.push_back(base);
            continue;
        }
        for (const auto& binding : bindings) {
            PortMapping mapping = base;
            mapping.ip = get_or<std::string>(binding, "HostIp");
            mapping.public_port =
                static_cast<std::uint16_t>(std::strtoul(get_or<std::string>(binding, "HostPort").c_str(), nullptr, 10));
            mappings.push_back(mapping);
        }
    }
    return mappings;
}

ContainerSummary read_summary(const json& item)
{
    ContainerSummary summary;
    summary.id = get_or<std::string>(item, "Id");
    for (auto& name : read_strings(member(item, "Names"))) {
        summary.names.push_back(strip_slash(std::move(name)));
    }
    summary.image = get_or<std::string>(item, "Image");
    summary.state = get_or<std::string>(item, "State");
    summary.status = get_or<std::string>(item, "Status");
    summary.created = get_or<std::int64_t>(item, "Created");
    summary.labels = read_labels(member(item, "Labels"));
    const auto& ports = member(item, "Ports");
    if (ports.is_array()) {
        for (const auto& port : ports) {
            summary.ports.push_back(
                PortMapping{get_or<std::string>(port, "IP"), get_or<std::uint16_t>(port, "PrivatePort"),
                            get_or<std::uint16_t>(port, "PublicPort"), get_or<std::string>(port, "Type")});
        }
    }
    return summary;
}

/// {"6379/tcp": [{"HostIp": "127.0.0.1", "HostPort": "6379"}]}
std::vector<PortRequest> read_port_requests(const json& bindings)
{
    std::vector<PortRequest> requests;
    if (!bindings.is_object()) {
        return requests;
    }
    for (const auto& [key, hosts] : bindings.items()) {
        const auto slash = key.find('/');
        PortRequest request;
        request.container_port = static_cast<std::uint16_t>(std::strtoul(key.substr(0, slash).c_str(), nullptr, 10));
        request.protocol = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
        if (!hosts.is_array()) {
            continue;
        }
        for (const auto& host : hosts) {
            request.host_ip = get_or<std::string>(host, "HostIp");
            request.host_port =
                static_cast<std::uint16_t>(std::strtoul(get_or<std::string>(host, "HostPort").c_str(), nullptr, 10));
            requests.push_back(request);
        }
    }
    return requests;
}

ContainerDetails read_details(const json& item)
{
    ContainerDetails details;
    details.id = get_or<std::string>(item, "Id");
    details.name = strip_slash(get_or<std::string>(item, "Name"));
    details.image_id = get_or<std::string>(item, "Image");
    details.restart_count = get_or<int>(item, "RestartCount");
    const auto& state = member(item, "State");
    details.status = get_or<std::string>(state, "Status");
    details.running = get_or<bool>(state, "Running");
    details.restarting = get_or<bool>(state, "Restarting");
    details.oom_killed = get_or<bool>(state, "OOMKilled");
    details.dead = get_or<bool>(state, "Dead");
    details.pid = get_or<int>(state, "Pid");
    details.exit_code = get_or<int>(state, "ExitCode");
    details.error = get_or<std::string>(state, "Error");
    details.started_at = get_or<std::string>(state, "StartedAt");
    details.finished_at = get_or<std::string>(state, "FinishedAt");
    if (const auto& health = member(state, "Health"); health.is_object()) {
        HealthState health_state;
        health_state.status = get_or<std::string>(health, "Status");
        health_state.failing_streak = get_or<int>(health, "FailingStreak");
        const auto& log = member(health, "Log");
        if (log.is_array() && !log.empty()) {
            for (const auto& run : log) {
                health_state.runs.push_back(HealthRun{get_or<int>(run, "ExitCode"), get_or<std::string>(run, "End"),
                                                      get_or<std::string>(run, "Output")});
            }
        }
        details.health = health_state;
    }
    const auto& config = member(item, "Config");
    details.image = get_or<std::string>(config, "Image");
    details.tty = get_or<bool>(config, "Tty");
    details.user = get_or<std::string>(config, "User");
    details.labels = read_labels(member(config, "Labels"));
    details.command = read_strings(member(config, "Entrypoint"));
    for (auto& argument : read_strings(member(config, "Cmd"))) {
        details.command.push_back(std::move(argument));
    }
    const auto& mounts = member(item, "Mounts");
    if (mounts.is_array()) {
        for (const auto& mount : mounts) {
            details.mounts.push_back(MountInfo{get_or<std::string>(mount, "Type"), get_or<std::string>(mount, "Name"),
                                               get_or<std::string>(mount, "Source"),
                                               get_or<std::string>(mount, "Destination"),
                                               get_or<bool>(mount, "RW", true)});
        }
    }
    details.ports = read_published_ports(member(member(item, "NetworkSettings"), "Ports"));
    const auto& host_config = member(item, "HostConfig");
    details.port_requests = read_port_requests(member(host_config, "PortBindings"));
    details.memory_limit = get_or<std::int64_t>(host_config, "Memory");
    details.working_dir = get_or<std::string>(config, "WorkingDir");
    if (const auto& host_mounts = member(host_config, "Mounts"); host_mounts.is_array()) {
        for (const auto& mount : host_mounts) {
            if (get_or<std::string>(mount, "Type") == "bind") {
                details.strict_bind_sources.push_back(get_or<std::string>(mount, "Source"));
            }
        }
    }
    details.restart_policy = get_or<std::string>(member(member(item, "HostConfig"), "RestartPolicy"), "Name");
    details.network_mode = get_or<std::string>(member(item, "HostConfig"), "NetworkMode");
    details.environment = read_strings(member(config, "Env"));
    if (const auto& networks = member(member(item, "NetworkSettings"), "Networks"); networks.is_object()) {
        for (const auto& [network, settings] : networks.items()) {
            details.networks.push_back(network);
            if (auto address = get_or<std::string>(settings, "IPAddress"); !address.empty()) {
                details.addresses[network] = std::move(address);
            }
            for (auto& alias : read_strings(member(settings, "Aliases"))) {
                details.aliases.push_back(std::move(alias));
            }
        }
    }
    if (const auto& exposed = member(config, "ExposedPorts"); exposed.is_object()) {
        for (const auto& [key, unused] : exposed.items()) {
            const auto slash = key.find('/');
            if (slash == std::string::npos || key.substr(slash + 1) == "tcp") {
                details.exposed_ports.push_back(
                    static_cast<std::uint16_t>(std::strtoul(key.substr(0, slash).c_str(), nullptr, 10)));
            }
        }
        std::sort(details.exposed_ports.begin(), details.exposed_ports.end());
    }
    return details;
}

VolumeInfo read_volume(const json& item)
{
    return VolumeInfo{get_or<std::string>(item, "Name"), get_or<std::string>(item, "Driver"),
                      get_or<std::string>(item, "Mountpoint"), read_labels(member(item, "Labels"))};
}

NetworkInfo read_network(const json& item)
{
    return NetworkInfo{get_or<std::string>(item, "Id"), get_or<std::string>(item, "Name"),
                       get_or<std::string>(item, "Driver"), get_or<std::string>(item, "Scope"),
                       read_labels(member(item, "Labels"))};
}

ImageInfo read_image(const json& item)
{
    ImageInfo image;
    image.id = get_or<std::string>(item, "Id");
    image.tags = read_strings(member(item, "RepoTags"));
    image.size = get_or<std::int64_t>(item, "Size");
    image.created = get_or<std::int64_t>(item, "Created"); // list: UNIX seconds; inspect: a string, left 0
    image.labels = read_labels(member(item, "Labels"));
    if (const auto& config = member(item, "Config"); config.is_object()) {
        image.labels = read_labels(member(config, "Labels"));
        image.user = get_or<std::string>(config, "User");
    }
    return image;
}

json encode_string_array(const std::vector<std::string>& values)
{
    json array = json::array();
    for (const auto& value : values) {
        array.push_back(value);
    }
    return array;
}

} // namespace

Result<VersionInfo> parse_version(std::string_view text)
{
    return parse_object<VersionInfo>(text, "GET /version", [](const json& item) {
        VersionInfo info;
        info.server_version = get_or<std::string>(item, "Version");
        info.server_api_version = get_or<std::string>(item, "ApiVersion");
        info.minimum_api_version = get_or<std::string>(item, "MinAPIVersion");
        info.operating_system = get_or<std::string>(item, "Os");
        return info;
    });
}

Result<std::vector<ContainerSummary>> parse_container_list(std::string_view text)
{
    return parse_array<ContainerSummary>(text, "GET /containers/json", read_summary);
}

Result<ContainerDetails> parse_container_details(std::string_view text)
{
    auto details = parse_object<ContainerDetails>(text, "GET /containers/{id}/json", read_details);
    if (details) {
        details->raw_json = std::string(text);
    }
    return details;
}

Result<std::string> parse_created_id(std::string_view text)
{
    auto id =
        parse_object<std::string>(text, "create", [](const json& item) { return get_or<std::string>(item, "Id"); });
    if (id && id->empty()) {
        return fail(ErrorKind::protocol, "create: the answer has no Id");
    }
    return id;
}

Result<int> parse_wait_status(std::string_view text)
{
    auto parsed = parse_json(text, "POST /containers/{id}/wait");
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    if (const auto& error = member(*parsed, "Error"); error.is_object()) {
        auto message = get_or<std::string>(error, "Message");
        if (!message.empty()) {
            return fail(ErrorKind::daemon, message);
        }
    }
    if (!parsed->is_object() || !member(*parsed, "StatusCode").is_number()) {
        return fail(ErrorKind::protocol, "POST /containers/{id}/wait: the answer has no StatusCode");
    }
    return get_or<int>(*parsed, "StatusCode");
}

Result<ExecState> parse_exec_state(std::string_view text)
{
    return parse_object<ExecState>(text, "GET /exec/{id}/json", [](const json& item) {
        ExecState state;
        state.running = get_or<bool>(item, "Running");
        state.pid = get_or<int>(item, "Pid");
        if (member(item, "ExitCode").is_number()) {
            state.exit_code = get_or<int>(item, "ExitCode");
        }
        return state;
    });
}

Result<Event> parse_event(std::string_view text)
{
    auto parsed = parse_json(text, "event stream");
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    if (!parsed->is_object()) {
        return fail(ErrorKind::protocol, "event stream: an event is not a JSON object");
    }
    Event event;
    event.type = get_or<std::string>(*parsed, "Type");
    event.action = get_or<std::string>(*parsed, "Action");
    const auto& actor = member(*parsed, "Actor");
    event.actor_id = get_or<std::string>(actor, "ID", get_or<std::string>(*parsed, "id"));
    event.attributes = read_labels(member(actor, "Attributes"));
    event.scope = get_or<std::string>(*parsed, "scope");
    event.time_nano = get_or<std::int64_t>(*parsed, "timeNano", get_or<std::int64_t>(*parsed, "time") * 1'000'000'000);
    if (event.type.empty() || event.action.empty()) {
        return fail(ErrorKind::protocol,
                    fmt::format("event stream: an event without Type or Action: '{}'", text.substr(0, 120)));
    }
    return event;
}

Result<std::vector<VolumeInfo>> parse_volume_list(std::string_view text)
{
    auto parsed = parse_json(text, "GET /volumes");
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    std::vector<VolumeInfo> volumes;
    if (const auto& items = member(*parsed, "Volumes"); items.is_array()) {
        for (const auto& item : items) {
            volumes.push_back(read_volume(item));
        }
    }
    return volumes;
}

Result<VolumeInfo> parse_volume(std::string_view text)
{
    return parse_object<VolumeInfo>(text, "volume", read_volume);
}

Result<std::vector<NetworkInfo>> parse_network_list(std::string_view text)
{
    return parse_array<NetworkInfo>(text, "GET /networks", read_network);
}

Result<NetworkInfo> parse_network(std::string_view text)
{
    return parse_object<NetworkInfo>(text, "GET /networks/{id}", read_network);
}

Result<std::vector<ImageInfo>> parse_image_list(std::string_view text)
{
    return parse_array<ImageInfo>(text, "GET /images/json", read_image);
}

Result<ImageInfo> parse_image(std::string_view text)
{
    return parse_object<ImageInfo>(text, "GET /images/{name}/json", read_image);
}

Result<ProcessList> parse_process_list(std::string_view text)
{
    return parse_object<ProcessList>(text, "GET /containers/{id}/top", [](const json& item) {
        ProcessList list;
        list.titles = read_strings(member(item, "Titles"));
        if (const auto& processes = member(item, "Processes"); processes.is_array()) {
            for (const auto& process : processes) {
                list.processes.push_back(read_strings(process));
            }
        }
        return list;
    });
}

Result<PathStat> parse_path_stat(std::string_view text)
{
    return parse_object<PathStat>(text, "X-Docker-Container-Path-Stat", [](const json& item) {
        PathStat stat;
        stat.name = get_or<std::string>(item, "name");
        stat.size = get_or<std::int64_t>(item, "size");
        stat.mode = get_or<std::uint32_t>(item, "mode");
        stat.link_target = get_or<std::string>(item, "linkTarget");
        return stat;
    });
}

Result<SystemInfo> parse_system_info(std::string_view text)
{
    return parse_object<SystemInfo>(text, "GET /info", [](const json& item) {
        return SystemInfo{get_or<std::string>(item, "Name"), get_or<std::string>(item, "DockerRootDir"),
                          get_or<std::int64_t>(item, "MemTotal"), get_or<int>(item, "ContainersRunning")};
    });
}

Result<DiskUsage> parse_disk_usage(std::string_view text)
{
    return parse_object<DiskUsage>(text, "GET /system/df", [](const json& item) {
        DiskUsage usage;
        usage.layers_size = get_or<std::int64_t>(item, "LayersSize");
        if (const auto& images = member(item, "Images"); images.is_array()) {
            usage.images = static_cast<std::int64_t>(images.size());
            for (const auto& image : images) {
                usage.images_size += get_or<std::int64_t>(image, "Size");
            }
        }
        if (const auto& containers = member(item, "Containers"); containers.is_array()) {
            usage.containers = static_cast<std::int64_t>(containers.size());
            for (const auto& container : containers) {
                usage.containers_size += get_or<std::int64_t>(container, "SizeRw");
            }
        }
        if (const auto& volumes = member(item, "Volumes"); volumes.is_array()) {
            usage.volumes = static_cast<std::int64_t>(volumes.size());
            for (const auto& volume : volumes) {
                usage.volumes_size +=
                    std::max<std::int64_t>(0, get_or<std::int64_t>(member(volume, "UsageData"), "Size"));
            }
        }
        if (const auto& caches = member(item, "BuildCache"); caches.is_array()) {
            for (const auto& cache : caches) {
                usage.build_cache_size += get_or<std::int64_t>(cache, "Size");
            }
        }
        return usage;
    });
}

Result<PruneReport> parse_prune_report(PruneTarget target, std::string_view text)
{
    return parse_object<PruneReport>(text, "prune", [target](const json& item) {
        PruneReport report;
        report.space_reclaimed = get_or<std::int64_t>(item, "SpaceReclaimed");
        switch (target) {
        case PruneTarget::containers: report.deleted = read_strings(member(item, "ContainersDeleted")); break;
        case PruneTarget::networks: report.deleted = read_strings(member(item, "NetworksDeleted")); break;
        case PruneTarget::build_cache: report.deleted = read_strings(member(item, "CachesDeleted")); break;
        case PruneTarget::images:
            if (const auto& images = member(item, "ImagesDeleted"); images.is_array()) {
                for (const auto& image : images) {
                    auto deleted = get_or<std::string>(image, "Deleted", get_or<std::string>(image, "Untagged"));
                    report.deleted.push_back(deleted);
                }
            }
            break;
        }
        return report;
    });
}

std::string encode_container_spec(const ContainerSpec& spec)
{
    json body;
    body["Image"] = spec.image;
    if (!spec.command.empty()) {
        body["Cmd"] = encode_string_array(spec.command);
    }
    if (spec.entrypoint) {
        body["Entrypoint"] = encode_string_array(*spec.entrypoint);
    }
    if (!spec.environment.empty()) {
        body["Env"] = encode_string_array(spec.environment);
    }
    body["Labels"] = json::object();
    for (const auto& [key, value] : spec.labels) {
        body["Labels"][key] = value;
    }
    if (!spec.user.empty()) {
        body["User"] = spec.user;
    }
    if (!spec.working_dir.empty()) {
        body["WorkingDir"] = spec.working_dir;
    }
    body["Tty"] = spec.tty;
    json host_config = json::object();
    if (!spec.binds.empty()) {
        host_config["Binds"] = encode_string_array(spec.binds);
    }
    if (!spec.volumes_from.empty()) {
        host_config["VolumesFrom"] = encode_string_array(spec.volumes_from);
    }
    if (!spec.group_add.empty()) {
        host_config["GroupAdd"] = encode_string_array(spec.group_add);
    }
    if (!spec.mounts.empty()) {
        json mounts = json::array();
        for (const auto& mount : spec.mounts) {
            json item{{"Type", mount.type}, {"Target", mount.target}, {"ReadOnly", mount.read_only}};
            if (mount.type == "tmpfs") {
                item["TmpfsOptions"] = {{"SizeBytes", mount.tmpfs_size_bytes}, {"Mode", mount.tmpfs_mode}};
            } else {
                item["Source"] = mount.source;
            }
            mounts.push_back(std::move(item));
        }
        host_config["Mounts"] = mounts;
    }
    if (!spec.ports.empty()) {
        json exposed = json::object();
        json bindings = json::object();
        for (const auto& port : spec.ports) {
            auto key = fmt::format("{}/{}", port.container_port, port.protocol);
            exposed[key] = json::object();
            bindings[key].push_back(
                {{"HostIp", port.host_ip}, {"HostPort", port.host_port == 0 ? "" : std::to_string(port.host_port)}});
        }
        body["ExposedPorts"] = exposed;
        host_config["PortBindings"] = bindings;
    }
    if (spec.memory_bytes > 0) {
        host_config["Memory"] = spec.memory_bytes;
        host_config["MemorySwap"] = spec.memory_bytes; // no swap: the limit is the limit
    }
    host_config["AutoRemove"] = spec.auto_remove;
    if (!spec.network_mode.empty()) {
        host_config["NetworkMode"] = spec.network_mode;
    }
    if (!spec.restart_policy.empty()) {
        host_config["RestartPolicy"] = {{"Name", spec.restart_policy}};
    }
    body["HostConfig"] = host_config;
    if (spec.healthcheck) {
        body["Healthcheck"] = {{"Test", encode_string_array(spec.healthcheck->test)},
                               {"Interval", spec.healthcheck->interval_ns},
                               {"Timeout", spec.healthcheck->timeout_ns},
                               {"StartPeriod", spec.healthcheck->start_period_ns},
                               {"Retries", spec.healthcheck->retries}};
    }
    return body.dump();
}

std::string encode_exec_spec(const ExecSpec& spec)
{
    json body;
    body["Cmd"] = encode_string_array(spec.command);
    body["AttachStdout"] = true;
    body["AttachStderr"] = true;
    body["Tty"] = false;
    if (!spec.user.empty()) {
        body["User"] = spec.user;
    }
    if (!spec.environment.empty()) {
        body["Env"] = encode_string_array(spec.environment);
    }
    if (!spec.working_dir.empty()) {
        body["WorkingDir"] = spec.working_dir;
    }
    return body.dump();
}

std::string encode_volume_create(std::string_view name, const Labels& labels)
{
    json body;
    body["Name"] = name;
    body["Labels"] = json::object();
    for (const auto& [key, value] : labels) {
        body["Labels"][key] = value;
    }
    return body.dump();
}

std::string encode_network_member(std::string_view container)
{
    json body;
    body["Container"] = container;
    return body.dump();
}

std::string encode_filters(const std::map<std::string, std::vector<std::string>>& filters)
{
    json body = json::object();
    for (const auto& [key, values] : filters) {
        body[key] = encode_string_array(values);
    }
    return body.dump();
}

} // namespace medic::docker
