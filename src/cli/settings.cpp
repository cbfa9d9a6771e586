#include "cli/settings.hpp"

#include <array>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace medic::cli {
namespace {

struct Key {
    std::string_view file_key;
    std::string_view environment_variable;
    std::string Settings::*member;
};

// The one table of settings: a key added here is read from the file and the environment.
const std::array<Key, 2> k_string_keys{{
    {"data_dir", "MEDIC_DATA_DIR", &Settings::data_dir},
    {"listen", "MEDIC_LISTEN", &Settings::listen},
}};

std::string known_keys()
{
    std::string names = "docker_host, watch, reconcile_seconds";
    for (const auto& key : k_string_keys) {
        names += ", " + std::string(key.file_key);
    }
    return names;
}

Result<void> apply_file(const std::string& path, Settings& settings)
{
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        return fail(ErrorKind::invalid_argument, fmt::format("{}: cannot read the config file", path));
    } catch (const YAML::Exception& error) {
        return fail(ErrorKind::invalid_argument, fmt::format("{}:{}: {}", path, error.mark.line + 1, error.msg));
    }
    if (root.IsNull()) {
        return {};
    }
    if (!root.IsMap()) {
        return fail(ErrorKind::invalid_argument,
                    fmt::format("{}:{}: the config file must be a mapping of keys (known: {})", path,
                                root.Mark().line + 1, known_keys()));
    }
    for (const auto& entry : root) {
        const auto name = entry.first.as<std::string>();
        const int line = entry.first.Mark().line + 1;
        if (!entry.second.IsScalar()) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}:{}: '{}' must be a single value", path, line, name));
        }
        const auto value = entry.second.as<std::string>();
        if (name == "docker_host") {
            settings.docker_host = value;
            continue;
        }
        if (name == "watch") {
            if (value != "all" && value != "opt-in") {
                return fail(ErrorKind::invalid_argument,
                            fmt::format("{}:{}: watch must be 'all' or 'opt-in', not '{}'", path, line, value));
            }
            settings.watch_mode = value == "all" ? watch::WatchMode::all : watch::WatchMode::opt_in;
            continue;
        }
        if (name == "reconcile_seconds") {
            int seconds = 0;
            auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
            if (error != std::errc{} || end != value.data() + value.size() || seconds < 1 || seconds > 3600) {
                return fail(ErrorKind::invalid_argument,
                            fmt::format("{}:{}: reconcile_seconds must be a whole number from 1 to 3600", path, line));
            }
            settings.reconcile_interval = std::chrono::seconds(seconds);
            continue;
        }
        bool known = false;
        for (const auto& key : k_string_keys) {
            if (name == key.file_key) {
                settings.*key.member = value;
                known = true;
            }
        }
        if (!known) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}:{}: unknown key '{}' (known: {})", path, line, name, known_keys()));
        }
    }
    return {};
}

} // namespace

std::optional<std::string> read_process_environment(const char* name)
{
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        return std::nullopt;
    }
    return std::string(value);
}

Result<void> validate_listen_address(const std::string& address)
{
    const auto colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return fail(ErrorKind::invalid_argument,
                    fmt::format("listen address '{}' must be host:port, e.g. 127.0.0.1:9470", address));
    }
    const std::string_view port_text = std::string_view(address).substr(colon + 1);
    unsigned port = 0;
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
        return fail(ErrorKind::invalid_argument,
                    fmt::format("listen address '{}': '{}' is not a port number (1-65535)", address, port_text));
    }
    return {};
}

Result<Settings> load_settings(const SettingsFlags& flags, const EnvironmentReader& environment)
{
    Settings settings;
    settings.config_file = flags.config_file ? flags.config_file : environment("MEDIC_CONFIG");
    if (settings.config_file) {
        if (auto applied = apply_file(*settings.config_file, settings); !applied) {
            return tl::unexpected(applied.error());
        }
    }
    if (auto value = environment("MEDIC_DOCKER_HOST")) {
        settings.docker_host = value;
    }
    for (const auto& key : k_string_keys) {
        if (auto value = environment(std::string(key.environment_variable).c_str())) {
            settings.*key.member = *value;
        }
    }
    if (flags.docker_host) {
        settings.docker_host = flags.docker_host;
    }
    if (flags.data_dir) {
        settings.data_dir = *flags.data_dir;
    }
    if (flags.listen) {
        settings.listen = *flags.listen;
    }
    if (settings.data_dir.empty()) {
        return fail(ErrorKind::invalid_argument, "data dir is empty: pass --data-dir DIR or set MEDIC_DATA_DIR");
    }
    if (auto valid = validate_listen_address(settings.listen); !valid) {
        return tl::unexpected(valid.error());
    }
    return settings;
}

} // namespace medic::cli
