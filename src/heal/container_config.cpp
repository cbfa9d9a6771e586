#include "heal/container_config.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

namespace medic::heal {
namespace {

using nlohmann::json;

bool is_anonymous_volume(const std::string& name)
{
    return name.size() == 64 && std::all_of(name.begin(), name.end(),
                                            [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

/// Destinations already given by Binds or Mounts of the HostConfig.
bool destination_configured(const json& host_config, const std::string& destination)
{
    if (auto binds = host_config.find("Binds"); binds != host_config.end() && binds->is_array()) {
        for (const auto& bind : *binds) {
            if (!bind.is_string()) {
                continue;
            }
            const auto text = bind.get<std::string>();
            const auto first = text.find(':');
            if (first == std::string::npos) {
                continue;
            }
            const auto second = text.find(':', first + 1);
            if (text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1) ==
                destination) {
                return true;
            }
        }
    }
    if (auto mounts = host_config.find("Mounts"); mounts != host_config.end() && mounts->is_array()) {
        for (const auto& mount : *mounts) {
            if (mount.is_object() && mount.value("Target", "") == destination) {
                return true;
            }
        }
    }
    return false;
}

} // namespace

std::vector<std::string> configured_bind_sources(const docker::ContainerDetails& container)
{
    std::vector<std::string> sources;
    const auto inspected = json::parse(container.raw_json, nullptr, false);
    if (inspected.is_discarded() || !inspected.is_object() || !inspected.contains("HostConfig")) {
        return sources;
    }
    const auto& host_config = inspected["HostConfig"];
    if (auto binds = host_config.find("Binds"); binds != host_config.end() && binds->is_array()) {
        for (const auto& bind : *binds) {
            const auto text = bind.is_string() ? bind.get<std::string>() : std::string();
            if (text.starts_with("/")) {
                sources.push_back(text.substr(0, text.find(':')));
            }
        }
    }
    if (auto mounts = host_config.find("Mounts"); mounts != host_config.end() && mounts->is_array()) {
        for (const auto& mount : *mounts) {
            if (mount.is_object() && mount.value("Type", "") == "bind") {
                sources.push_back(mount.value("Source", ""));
            }
        }
    }
    return sources;
}

Result<Replacement> replacement_for(const docker::ContainerDetails& container, const ReplacementChanges& changes)
{
    const auto inspected = json::parse(container.raw_json, nullptr, false);
    if (inspected.is_discarded() || !inspected.is_object() || !inspected.contains("Config") ||
        !inspected.contains("HostConfig")) {
        return fail(ErrorKind::invalid_argument,
                    "the container's inspect has no Config/HostConfig: cannot make a replacement");
    }
    json body = inspected["Config"];
    // A generated hostname is the old container's short id; the new one gets its own.
    if (body.value("Hostname", "") == container.id.substr(0, 12)) {
        body.erase("Hostname");
    }
    json host_config = inspected["HostConfig"];
    if (inspected.contains("Mounts") && inspected["Mounts"].is_array()) {
        for (const auto& mount : inspected["Mounts"]) {
            const auto name = mount.value("Name", "");
            const auto destination = mount.value("Destination", "");
            if (mount.value("Type", "") == "volume" && is_anonymous_volume(name) &&
                !destination_configured(host_config, destination)) {
                if (!host_config.contains("Binds") || !host_config["Binds"].is_array()) {
                    host_config["Binds"] = json::array();
                }
                host_config["Binds"].push_back(name + ":" + destination + (mount.value("RW", true) ? "" : ":ro"));
            }
        }
    }
    for (const auto& [port, host_port] : changes.host_ports) {
        if (!host_config.contains("PortBindings") || !host_config["PortBindings"].contains(port)) {
            return fail(ErrorKind::invalid_argument, "the container publishes no port " + port);
        }
        for (auto& binding : host_config["PortBindings"][port]) {
            binding["HostPort"] = std::to_string(host_port);
        }
    }
    body["HostConfig"] = host_config;

    Replacement replacement;
    const auto network_mode = host_config.value("NetworkMode", "");
    const auto& networks =
        inspected.contains("NetworkSettings") ? inspected["NetworkSettings"].value("Networks", json()) : json();
    if (networks.is_object()) {
        for (const auto& [name, settings] : networks.items()) {
            if (name != network_mode) {
                replacement.extra_networks.push_back(name);
                continue;
            }
            json endpoint = json::object();
            if (settings.contains("Aliases") && settings["Aliases"].is_array()) {
                json aliases = json::array();
                for (const auto& alias : settings["Aliases"]) {
                    if (alias.is_string() && alias.get<std::string>() != container.id.substr(0, 12)) {
                        aliases.push_back(alias);
                    }
                }
                endpoint["Aliases"] = aliases;
            }
            if (settings.contains("IPAMConfig") && settings["IPAMConfig"].is_object()) {
                endpoint["IPAMConfig"] = settings["IPAMConfig"];
            }
            body["NetworkingConfig"] = {{"EndpointsConfig", {{name, endpoint}}}};
        }
    }
    replacement.body = body.dump();
    return replacement;
}

} // namespace medic::heal
