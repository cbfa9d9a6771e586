// medic: a self-healing supervisor for Docker hosts. main() only wires the
// subcommands to their implementations in src/cli/.

#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/api_commands.hpp"
#include "cli/classify_command.hpp"
#include "cli/config_command.hpp"
#include "cli/diagnose_command.hpp"
#include "cli/heal_command.hpp"
#include "cli/incidents_command.hpp"
#include "cli/journal_command.hpp"
#include "cli/ps_command.hpp"
#include "cli/run_command.hpp"
#include "cli/settings.hpp"

int main(int argc, char** argv)
{
    CLI::App app{"medic: watches the containers of a Docker host, recognises what went wrong and repairs it.\n"
                 "The daemon address comes from --docker-host, else DOCKER_HOST (with DOCKER_TLS_VERIFY and\n"
                 "DOCKER_CERT_PATH as in the docker CLI), else unix:///var/run/docker.sock."};
    app.set_version_flag("--version", "medic 0.7.0");
    app.require_subcommand(1);

    medic::cli::SettingsFlags flags;
    app.add_option("--docker-host", flags.docker_host, "Docker daemon address: unix:///path or tcp://host:port");

    auto* ps = app.add_subcommand("ps", "List the containers with state, health, restarts, uptime and ports");
    bool json = false;
    ps->add_flag("--json", json, "Print JSON instead of a table");

    auto* run = app.add_subcommand(
        "run", "Run the medic daemon: watch every container, detect what breaks and heal it, until SIGINT/SIGTERM");
    run->add_option("--data-dir", flags.data_dir,
                    "Where medic keeps its state (default /var/lib/medic; env MEDIC_DATA_DIR)");
    run->add_option("--listen", flags.listen,
                    "Address of medic's HTTP API, host:port (default 127.0.0.1:9470; env MEDIC_LISTEN)");
    run->add_option("--config", flags.config_file, "YAML config file (env MEDIC_CONFIG)");
    run->add_option("--watch-label", flags.watch_label,
                    "Only watch, probe and heal containers with this label, KEY or KEY=VALUE "
                    "(env MEDIC_WATCH_LABEL; config watch_label)");
    run->add_flag("--dry-run", flags.dry_run,
                  "Plan and record recovery actions without taking them (env MEDIC_DRY_RUN=true)");

    auto* classify =
        app.add_subcommand("classify", "Classify log text from files or stdin: one JSON object per finding");
    medic::cli::ClassifyOptions classify_options;
    classify->add_option("files", classify_options.files, "Files to read (default, or -: standard input)");
    auto* summary_flag =
        classify->add_flag("--summary", classify_options.summary, "Print counts per error type instead");
    classify
        ->add_flag("--run", classify_options.run,
                   "Read each input as one run of a program (a container's log from its start to its exit): "
                   "multi-line errors (Redis config blocks, tracebacks, panics, PostgreSQL DETAIL/HINT) are read "
                   "whole, and one JSON object per input gives the cause, the line that decided, the context and the "
                   "evidence; exit code 1 when an input names no problem")
        ->excludes(summary_flag);

    auto* incidents = app.add_subcommand("incidents", "Show the incident history kept by medic run");
    medic::cli::IncidentsOptions incidents_options;
    std::optional<std::string> incidents_data_dir;
    incidents->add_option("--data-dir", incidents_data_dir,
                          "medic's data dir (default /var/lib/medic; env MEDIC_DATA_DIR)");
    incidents->add_flag("--json", incidents_options.json, "Print JSON instead of a table");
    incidents->add_flag("--open", incidents_options.open_only, "Only incidents that are not resolved");
    incidents->add_option("--limit", incidents_options.limit, "How many, newest first (default 50)")
        ->check(CLI::Range(1, 500));
    incidents->add_option("--api", incidents_options.api_address,
                          "The running medic's API, host:port (default 127.0.0.1:9470; env MEDIC_LISTEN); when it "
                          "does not answer, the history file in the data dir is read");

    auto* actions = app.add_subcommand("actions", "Show the journal of recovery actions kept by medic run");
    medic::cli::ActionsOptions actions_options;
    actions->add_option("--api", actions_options.api_address,
                        "The running medic's API, host:port (default 127.0.0.1:9470; env MEDIC_LISTEN); when it "
                        "does not answer, the history file in the data dir is read");
    std::optional<std::string> actions_data_dir;
    actions->add_option("--data-dir", actions_data_dir,
                        "medic's data dir (default /var/lib/medic; env MEDIC_DATA_DIR)");
    actions->add_option("--incident", actions_options.incident, "Only the actions of this incident");
    actions->add_flag("--json", actions_options.json, "Print JSON (with the evidence before and after)");
    actions->add_option("--limit", actions_options.limit, "How many, newest first (default 50)")
        ->check(CLI::Range(1, 500));

    auto* restore = app.add_subcommand(
        "restore", "List the files medic moved into quarantine, or put the files of entry ID back where they were");
    medic::cli::RestoreOptions restore_options;
    std::optional<std::string> restore_data_dir;
    restore->add_option("id", restore_options.id, "Quarantine entry to restore (from the list without ID)");
    restore->add_option("--data-dir", restore_data_dir,
                        "medic's data dir (default /var/lib/medic; env MEDIC_DATA_DIR)");
    restore->add_option("--helper-image", restore_options.helper_image,
                        "Image for the helper container when the service's own image has no shell (default "
                        "medic/helper:latest)");

    auto* heal = app.add_subcommand("heal", "Run one recovery action on a container now (journaled and verified), "
                                            "e.g. medic heal cache --action recreate_container");
    medic::cli::HealCommandOptions heal_options;
    std::optional<std::string> heal_data_dir;
    heal->add_option("container", heal_options.container, "Container name or id")->required();
    heal->add_option("--action", heal_options.action,
                     "A registered action (restart_container, recreate_container, ...)")
        ->required();
    heal->add_option("--data-dir", heal_data_dir, "Where the journal is (default /var/lib/medic; env MEDIC_DATA_DIR)");
    heal->add_flag("--yes", heal_options.confirmed, "Confirm a destructive or host action");
    heal->add_option("--helper-image", heal_options.helper_image, "Helper image for work in volumes");

    auto* diagnose = app.add_subcommand("diagnose", "Run every probe and check on one container now, examine it as a "
                                                    "person would (user, mounts, ports, namespace, command, exit), and "
                                                    "say what is wrong, the evidence, and the playbook medic would run "
                                                    "(changes nothing)");
    medic::cli::DiagnoseOptions diagnose_options;
    diagnose->add_option("container", diagnose_options.container, "Container name or id")->required();
    diagnose->add_flag("--json", diagnose_options.json, "Print JSON");
    diagnose->add_option("--timeout", diagnose_options.timeout_seconds, "Seconds each probe may take (default 5)")
        ->check(CLI::Range(1, 300));
    diagnose->add_option("--helper-image", diagnose_options.helper_image,
                         "Image of the helper that checks the mounts as the service's user (default medic/helper)");

    auto* logs = app.add_subcommand("logs", "Print a container's log lines through the running medic (token from "
                                            "the data dir); -f follows");
    medic::cli::LogsOptions logs_options;
    logs->add_option("container", logs_options.container, "Container name or id")->required();
    logs->add_flag("-f,--follow", logs_options.follow, "Keep printing new lines until interrupted");
    logs->add_option("--tail", logs_options.tail, "How many of the last lines first (default 100)")
        ->check(CLI::Range(0, 10000));
    logs->add_flag("--types", logs_options.types, "Prefix lines a rule matched with their error type");
    logs->add_option("--api", logs_options.api.address,
                     "The running medic's API, host:port (default 127.0.0.1:9470; env MEDIC_LISTEN)");
    logs->add_option("--data-dir", logs_options.api.data_dir,
                     "Where the token files are (default /var/lib/medic; env MEDIC_DATA_DIR, or MEDIC_API_TOKEN)");

    auto* stats = app.add_subcommand("stats", "Counts of findings by type and container, the trend, and how often "
                                              "recovery worked, from the running medic");
    medic::cli::StatsOptions stats_options;
    stats->add_flag("--json", stats_options.json, "Print the API's JSON");
    stats->add_option("--api", stats_options.api.address,
                      "The running medic's API, host:port (default 127.0.0.1:9470; env MEDIC_LISTEN)");
    stats->add_option("--data-dir", stats_options.api.data_dir,
                      "Where the token files are (default /var/lib/medic; env MEDIC_DATA_DIR, or MEDIC_API_TOKEN)");

    auto* config = app.add_subcommand("config", "Work with medic's configuration");
    auto* config_check = config->add_subcommand(
        "check", "Check a config file (default MEDIC_CONFIG) and the medic.* labels of every container; says what "
                 "is wrong and where (exit 0: nothing, 1: something, 2: could not look)");
    config->require_subcommand(1);
    medic::cli::ConfigCheckOptions config_options;
    config_check->add_option("file", config_options.file, "The YAML config file");
    config_check->add_flag("--file-only", config_options.skip_containers, "Do not ask Docker for the containers");

    CLI11_PARSE(app, argc, argv);

    if (config_check->parsed()) {
        config_options.docker_host = flags.docker_host;
        return medic::cli::run_config_check(config_options);
    }

    if (logs->parsed()) {
        return medic::cli::run_logs(logs_options);
    }
    if (stats->parsed()) {
        return medic::cli::run_stats(stats_options);
    }

    auto data_dir_or_default = [](const std::optional<std::string>& flag) {
        return flag.value_or(medic::cli::read_process_environment("MEDIC_DATA_DIR").value_or("/var/lib/medic"));
    };
    if (diagnose->parsed()) {
        diagnose_options.docker_host = flags.docker_host;
        return medic::cli::run_diagnose(diagnose_options);
    }
    if (heal->parsed()) {
        heal_options.data_dir = data_dir_or_default(heal_data_dir);
        heal_options.docker_host = flags.docker_host;
        return medic::cli::run_heal(heal_options);
    }
    if (actions->parsed()) {
        actions_options.data_dir = data_dir_or_default(actions_data_dir);
        return medic::cli::run_actions(actions_options);
    }
    if (restore->parsed()) {
        restore_options.data_dir = data_dir_or_default(restore_data_dir);
        restore_options.docker_host = flags.docker_host;
        return medic::cli::run_restore(restore_options);
    }

    if (incidents->parsed()) {
        incidents_options.data_dir = data_dir_or_default(incidents_data_dir);
        return medic::cli::run_incidents(incidents_options);
    }
    if (classify->parsed()) {
        return medic::cli::run_classify(classify_options);
    }

    if (ps->parsed()) {
        return medic::cli::run_ps({flags.docker_host, json});
    }
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    auto settings = medic::cli::load_settings(flags, medic::cli::read_process_environment);
    if (!settings) {
        std::cerr << "medic: " << settings.error().message << "\n";
        return 2;
    }
    return medic::cli::run_daemon(*settings);
}
