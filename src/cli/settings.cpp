#include "cli/settings.hpp"

#include "notify/notifier.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

namespace medic::cli {
namespace {

struct Key {
    std::string_view file_key;
    std::string_view environment_variable;
    std::string Settings::*member;
};

// The one table of settings: a key added here is read from the file and the environment.
const std::array<Key, 4> k_string_keys{{
    {"data_dir", "MEDIC_DATA_DIR", &Settings::data_dir},
    {"listen", "MEDIC_LISTEN", &Settings::listen},
    {"api_token", "MEDIC_API_TOKEN", &Settings::api_token},
    {"api_viewer_token", "MEDIC_API_VIEWER_TOKEN", &Settings::api_viewer_token},
}};

// Keys read by apply_heal_key (the healing engine's settings).
constexpr std::array<std::string_view, 15> k_heal_keys{"heal",
                                                       "examine",
                                                       "dry_run",
                                                       "allow_destructive",
                                                       "allow_host",
                                                       "helper_image",
                                                       "playbooks",
                                                       "settle_seconds",
                                                       "verify_seconds",
                                                       "daemon_restart_command",
                                                       "port_range_redis",
                                                       "port_range_postgres",
                                                       "port_range_sysreptor",
                                                       "port_range_generic",
                                                       "max_concurrent_actions"};

// Keys read by apply_probe_key (probes and host checks).
constexpr std::array<std::string_view, 7> k_probe_keys{"probes",
                                                       "probe_threshold",
                                                       "probe_start_seconds",
                                                       "probe_timeout_seconds",
                                                       "host_interval_seconds",
                                                       "host_disk_percent",
                                                       "host_memory_percent"};

// Keys read by apply_notify_key (notifications).
constexpr std::array<std::string_view, 4> k_notify_keys{"notify", "notify_on", "notify_container_limit",
                                                        "notify_global_limit"};

std::string known_keys()
{
    return fmt::format("{}", fmt::join(config_keys(), ", "));
}

Result<bool> parse_boolean(const std::string& value, const std::string& place, std::string_view name)
{
    if (value == "true" || value == "false") {
        return value == "true";
    }
    return fail(ErrorKind::invalid_argument, fmt::format("{}: {} must be true or false, not '{}'", place, name, value));
}

/// Sets the watch_label from the file, MEDIC_WATCH_LABEL or --watch-label (`place`).
Result<void> set_watch_label(Settings& settings, const std::string& value, const std::string& place)
{
    settings.watch_label = docker::parse_label_selector(value);
    if (settings.watch_label) {
        return {};
    }
    return fail(ErrorKind::invalid_argument,
                fmt::format("{}: watch_label must be KEY or KEY=VALUE (a container label, e.g. "
                            "com.docker.compose.project=shop), not '{}'",
                            place, value));
}

Result<int> parse_whole(const std::string& value, const std::string& place, std::string_view name, int low, int high)
{
    int number = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc{} || end != value.data() + value.size() || number < low || number > high) {
        return fail(ErrorKind::invalid_argument, fmt::format("{}: {} must be a whole number from {} to {}, not '{}'",
                                                             place, name, low, high, value));
    }
    return number;
}

/// One key of the probe and host settings; false when `name` is not one of them.
Result<bool> apply_probe_key(const std::string& name, const YAML::Node& node, const std::string& place,
                             Settings& settings)
{
    if (std::find(k_probe_keys.begin(), k_probe_keys.end(), name) == k_probe_keys.end()) {
        return false;
    }
    if (!node.IsScalar()) {
        return fail(ErrorKind::invalid_argument, fmt::format("{}: '{}' must be a single value", place, name));
    }
    const auto value = node.as<std::string>();
    if (name == "probes") {
        auto parsed = parse_boolean(value, place, name);
        if (!parsed) {
            return tl::unexpected(parsed.error());
        }
        settings.probes = *parsed;
        return true;
    }
    struct Range {
        std::string_view name;
        int low;
        int high;
    };
    static constexpr std::array<Range, 6> k_ranges{{{"probe_threshold", 1, 100},
                                                    {"probe_start_seconds", 0, 3600},
                                                    {"probe_timeout_seconds", 1, 300},
                                                    {"host_interval_seconds", 5, 3600},
                                                    {"host_disk_percent", 1, 100},
                                                    {"host_memory_percent", 1, 100}}};
    const auto& range = *std::find_if(k_ranges.begin(), k_ranges.end(), [&](const Range& r) { return r.name == name; });
    auto number = parse_whole(value, place, name, range.low, range.high);
    if (!number) {
        return tl::unexpected(number.error());
    }
    if (name == "probe_threshold") {
        settings.probe_threshold = *number;
    } else if (name == "probe_start_seconds") {
        settings.probe_start = std::chrono::seconds(*number);
    } else if (name == "probe_timeout_seconds") {
        settings.probe_timeout = std::chrono::seconds(*number);
    } else if (name == "host_interval_seconds") {
        settings.host_interval = std::chrono::seconds(*number);
    } else if (name == "host_disk_percent") {
        settings.host_disk_percent = *number;
    } else {
        settings.host_memory_percent = *number;
    }
    return true;
}

/// One key of the healing settings; false when `name` is not one of them.
Result<bool> apply_heal_key(const std::string& name, const YAML::Node& node, const std::string& place,
                            Settings& settings)
{
    auto& heal = settings.heal;
    if (name == "daemon_restart_command") {
        if (!node.IsSequence() || node.size() == 0) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}: daemon_restart_command must be a list of arguments, e.g. [systemctl, "
                                    "restart, docker] (no shell string)",
                                    place));
        }
        heal.daemon_restart_command.clear();
        for (const auto& argument : node) {
            heal.daemon_restart_command.push_back(argument.as<std::string>());
        }
        return true;
    }
    if (std::find(k_heal_keys.begin(), k_heal_keys.end(), name) == k_heal_keys.end()) {
        return false;
    }
    if (!node.IsScalar()) {
        return fail(ErrorKind::invalid_argument, fmt::format("{}: '{}' must be a single value", place, name));
    }
    const auto value = node.as<std::string>();
    auto set_flag = [&](bool& flag) -> Result<bool> {
        auto parsed = parse_boolean(value, place, name);
        if (!parsed) {
            return tl::unexpected(parsed.error());
        }
        flag = *parsed;
        return true;
    };
    if (name == "heal") {
        return set_flag(heal.enabled);
    }
    if (name == "examine") {
        return set_flag(heal.examine);
    }
    if (name == "dry_run") {
        return set_flag(heal.policy.dry_run);
    }
    if (name == "allow_destructive") {
        return set_flag(heal.policy.allow_destructive);
    }
    if (name == "allow_host") {
        return set_flag(heal.policy.allow_host);
    }
    if (name == "helper_image") {
        heal.helper_image = value;
        return true;
    }
    if (name == "playbooks") {
        settings.playbooks_file = value;
        return true;
    }
    if (name == "settle_seconds" || name == "verify_seconds" || name == "max_concurrent_actions") {
        auto number = parse_whole(value, place, name, 1, 3600);
        if (!number) {
            return tl::unexpected(number.error());
        }
        if (name == "settle_seconds") {
            heal.settle = std::chrono::seconds(*number);
        } else if (name == "verify_seconds") {
            heal.verify_timeout = std::chrono::seconds(*number);
        } else {
            heal.limits.max_concurrent_actions = *number;
        }
        return true;
    }
    // port_range_PROFILE: FIRST-LAST
    const auto profile = heal::parse_profile(name.substr(std::string_view("port_range_").size()));
    const auto dash = value.find('-');
    auto first = parse_whole(value.substr(0, dash), place, name, 1, 65535);
    auto last = dash == std::string::npos ? first : parse_whole(value.substr(dash + 1), place, name, 1, 65535);
    if (!profile || !first || !last || *last < *first) {
        return fail(ErrorKind::invalid_argument,
                    fmt::format("{}: {} must be a port range such as 6380-6390, not '{}'", place, name, value));
    }
    heal.port_ranges[*profile] = {static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last)};
    return true;
}

/// One receiver: a URL, or a mapping with `url` and `preset`.
Result<notify::Target> parse_target(const YAML::Node& node, const std::string& place)
{
    notify::Target target;
    if (node.IsScalar()) {
        target.url = node.as<std::string>();
    } else if (node.IsMap()) {
        for (const auto& entry : node) {
            const auto key = entry.first.as<std::string>();
            const auto value = entry.second.IsScalar() ? entry.second.as<std::string>() : std::string();
            if (key == "url") {
                target.url = value;
            } else if (key == "preset") {
                auto preset = notify::parse_preset(value);
                if (!preset) {
                    return fail(
                        ErrorKind::invalid_argument,
                        fmt::format("{}: preset must be generic, slack, discord or ntfy, not '{}'", place, value));
                }
                target.preset = *preset;
            } else {
                return fail(ErrorKind::invalid_argument,
                            fmt::format("{}: a receiver has url and preset, not '{}'", place, key));
            }
        }
    } else {
        return fail(ErrorKind::invalid_argument, fmt::format("{}: a receiver is a URL or {{url, preset}}", place));
    }
    if (auto valid = notify::validate_url(target.url); !valid) {
        return fail(ErrorKind::invalid_argument, fmt::format("{}: notify: {}", place, valid.error().message));
    }
    return target;
}

/// One key of the notification settings; false when `name` is not one of them.
Result<bool> apply_notify_key(const std::string& name, const YAML::Node& node, const std::string& place,
                              Settings& settings)
{
    if (std::find(k_notify_keys.begin(), k_notify_keys.end(), name) == k_notify_keys.end()) {
        return false;
    }
    if (name == "notify") {
        if (!node.IsSequence()) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}: notify is a list of receivers (a URL, or url and preset)", place));
        }
        for (const auto& item : node) {
            // The receiver's own line, in the file the key's place names.
            const auto file = place.substr(0, place.rfind(':'));
            auto target = parse_target(item, fmt::format("{}:{}", file, item.Mark().line + 1));
            if (!target) {
                return tl::unexpected(target.error());
            }
            settings.notify.targets.push_back(std::move(*target));
        }
        return true;
    }
    if (!node.IsScalar()) {
        return fail(ErrorKind::invalid_argument, fmt::format("{}: '{}' must be a single value", place, name));
    }
    const auto value = node.as<std::string>();
    if (name == "notify_on") {
        if (value != "all" && value != "failures") {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}: notify_on must be 'all' or 'failures', not '{}'", place, value));
        }
        settings.notify.on = value == "all" ? notify::NotifyOn::all : notify::NotifyOn::failures;
        return true;
    }
    auto number = parse_whole(value, place, name, 1, 10000);
    if (!number) {
        return tl::unexpected(number.error());
    }
    (name == "notify_container_limit" ? settings.notify.container_limit : settings.notify.global_limit) = *number;
    return true;
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
        auto heal_key = apply_heal_key(name, entry.second, fmt::format("{}:{}", path, line), settings);
        if (!heal_key) {
            return tl::unexpected(heal_key.error());
        }
        if (*heal_key) {
            continue;
        }
        auto probe_key = apply_probe_key(name, entry.second, fmt::format("{}:{}", path, line), settings);
        if (!probe_key) {
            return tl::unexpected(probe_key.error());
        }
        if (*probe_key) {
            continue;
        }
        auto notify_key = apply_notify_key(name, entry.second, fmt::format("{}:{}", path, line), settings);
        if (!notify_key) {
            return tl::unexpected(notify_key.error());
        }
        if (*notify_key) {
            continue;
        }
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
        if (name == "watch_label") {
            if (auto set = set_watch_label(settings, value, fmt::format("{}:{}", path, line)); !set) {
                return set;
            }
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

std::vector<std::string> config_keys()
{
    std::vector<std::string> keys{"docker_host", "watch", "watch_label", "reconcile_seconds"};
    keys.insert(keys.end(), k_notify_keys.begin(), k_notify_keys.end());
    keys.insert(keys.end(), k_probe_keys.begin(), k_probe_keys.end());
    keys.insert(keys.end(), k_heal_keys.begin(), k_heal_keys.end());
    for (const auto& key : k_string_keys) {
        keys.emplace_back(key.file_key);
    }
    return keys;
}

std::vector<std::string> environment_variables()
{
    std::vector<std::string> names{"MEDIC_CONFIG", "MEDIC_DOCKER_HOST", "MEDIC_DRY_RUN", "MEDIC_NOTIFY_URL",
                                   "MEDIC_WATCH_LABEL"};
    for (const auto& key : k_string_keys) {
        names.emplace_back(key.environment_variable);
    }
    return names;
}

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
    if (auto value = environment("MEDIC_NOTIFY_URL")) {
        if (auto valid = notify::validate_url(*value); !valid) {
            return fail(ErrorKind::invalid_argument, fmt::format("MEDIC_NOTIFY_URL: {}", valid.error().message));
        }
        settings.notify.targets.push_back({*value, notify::Preset::generic});
    }
    if (auto value = environment("MEDIC_DRY_RUN")) {
        auto parsed = parse_boolean(*value, "MEDIC_DRY_RUN", "MEDIC_DRY_RUN");
        if (!parsed) {
            return tl::unexpected(parsed.error());
        }
        settings.heal.policy.dry_run = *parsed;
    }
    if (auto value = environment("MEDIC_WATCH_LABEL")) {
        if (auto set = set_watch_label(settings, *value, "MEDIC_WATCH_LABEL"); !set) {
            return tl::unexpected(set.error());
        }
    }
    if (flags.docker_host) {
        settings.docker_host = flags.docker_host;
    }
    if (flags.watch_label) {
        if (auto set = set_watch_label(settings, *flags.watch_label, "--watch-label"); !set) {
            return tl::unexpected(set.error());
        }
    }
    if (flags.dry_run) {
        settings.heal.policy.dry_run = true;
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
