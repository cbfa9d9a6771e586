#pragma once
// Host-wide settings of medic: from the config file, then MEDIC_* variables,
// then command-line flags; the later wins. Parsed once, validated, immutable.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <chrono>

#include "common/result.hpp"
#include "heal/heal_options.hpp"
#include "notify/notify_options.hpp"
#include "watch/label_check.hpp"

namespace medic::cli {

struct Settings {
    std::optional<std::string> docker_host; ///< unset: DOCKER_HOST, else /var/run/docker.sock
    std::string data_dir = "/var/lib/medic";
    std::string listen = "127.0.0.1:9470";
    std::string api_token;        ///< the operator's API token; empty: made on first start in the data dir
    std::string api_viewer_token; ///< the viewer's; empty: made on first start in the data dir
    std::optional<std::string> config_file;
    watch::WatchMode watch_mode = watch::WatchMode::all; ///< config `watch: opt-in` watches only medic.enable=true
    /// config `watch_label`, MEDIC_WATCH_LABEL, --watch-label: only containers with this label
    /// are watched, probed and healed (one medic per compose project, say).
    std::optional<docker::LabelSelector> watch_label;
    std::chrono::milliseconds reconcile_interval{30000}; ///< config `reconcile_seconds`
    heal::HealOptions heal{};                            ///< config heal, dry_run, allow_*, ...
    std::optional<std::string> playbooks_file;           ///< config `playbooks`: replaces the built-in playbooks
    // medic's own probes and the host checks (config probes, probe_*, host_*).
    bool probes = true;
    int probe_threshold = 3;                ///< failures in a row before a finding
    std::chrono::seconds probe_start{30};   ///< after a start, failures do not count
    std::chrono::seconds probe_timeout{5};  ///< per probe run
    std::chrono::seconds host_interval{30}; ///< how often the host is checked
    int host_disk_percent = 90;             ///< a finding when a disk is this full
    int host_memory_percent = 95;           ///< a finding when this much memory is in use
    notify::NotifyOptions notify{};         ///< config notify, notify_on, notify_*_limit; env MEDIC_NOTIFY_URL
};

/// Values given on the command line; unset ones leave the lower layers in force.
struct SettingsFlags {
    std::optional<std::string> docker_host;
    std::optional<std::string> data_dir;
    std::optional<std::string> listen;
    std::optional<std::string> config_file;
    std::optional<std::string> watch_label;
    bool dry_run = false;
};

using EnvironmentReader = std::function<std::optional<std::string>(const char* name)>;

/// Reads the real process environment.
std::optional<std::string> read_process_environment(const char* name);

/// Merges file, environment (MEDIC_CONFIG, MEDIC_DOCKER_HOST, MEDIC_DATA_DIR,
/// MEDIC_LISTEN, MEDIC_DRY_RUN, MEDIC_WATCH_LABEL, ...) and flags. A bad file, an unknown key or a bad value is an
/// error that names the file and line and says how to fix it.
Result<Settings> load_settings(const SettingsFlags& flags, const EnvironmentReader& environment);

/// Every key the config file knows, and every MEDIC_* variable read: for `docs/configuration.md`
/// (a test checks it names each) and for the error that lists the known keys.
std::vector<std::string> config_keys();
std::vector<std::string> environment_variables();

/// Checks "host:port" for the API listener.
Result<void> validate_listen_address(const std::string& address);

} // namespace medic::cli
