#include "cli/config_command.hpp"

#include <iostream>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "cli/daemon_connection.hpp"
#include "cli/run_command.hpp"
#include "watch/label_check.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

/// Label problems of every container; -1 when the daemon could not be asked.
asio::awaitable<int> check_containers(std::optional<std::string> docker_host)
{
    auto client = co_await connect_to_daemon(docker_host);
    if (!client) {
        std::cout << "containers: not checked: " << explain_connection_failure(client.error()) << "\n";
        co_return -1;
    }
    auto containers = co_await (*client)->list_containers();
    if (!containers) {
        std::cout << "containers: not checked: " << containers.error().message << "\n";
        co_return -1;
    }
    int problems = 0;
    for (const auto& container : *containers) {
        const auto name = container.names.empty() ? container.id.substr(0, 12) : container.names.front();
        for (const auto& problem : watch::check_labels(container.labels)) {
            std::cout << fmt::format("{}: label {}: {}\n", name, problem.label, problem.message);
            ++problems;
        }
    }
    std::cout << fmt::format("containers: {} checked, {} label problem{}\n", containers->size(), problems,
                             problems == 1 ? "" : "s");
    co_return problems;
}

} // namespace

int run_config_check(const ConfigCheckOptions& options)
{
    SettingsFlags flags;
    flags.config_file = options.file;
    int problems = 0;
    auto settings = load_settings(flags, read_process_environment);
    const auto name = options.file.value_or(read_process_environment("MEDIC_CONFIG").value_or("(no config file)"));
    if (!settings) {
        std::cout << settings.error().message << "\n";
        ++problems;
    } else {
        auto playbooks = load_playbooks(*settings);
        if (!playbooks) {
            std::cout << "playbooks: " << playbooks.error().message << "\n";
            ++problems;
        } else {
            std::cout << fmt::format("{}: ok (data dir {}, API on {}, watch {}, healing {}, {} notification "
                                     "receiver{})\n",
                                     name, settings->data_dir, settings->listen,
                                     std::string(settings->watch_mode == watch::WatchMode::all ? "all" : "opt-in") +
                                         (settings->watch_label ? ", label " + settings->watch_label->to_string() : ""),
                                     !settings->heal.enabled         ? "off"
                                     : settings->heal.policy.dry_run ? "dry run"
                                                                     : "on",
                                     settings->notify.targets.size(), settings->notify.targets.size() == 1 ? "" : "s");
        }
    }
    if (!options.skip_containers) {
        asio::io_context io;
        const auto found = run_blocking(io, check_containers(options.docker_host ? options.docker_host
                                                             : settings          ? settings->docker_host
                                                                                 : std::nullopt));
        if (found > 0) {
            problems += found;
        }
    }
    return problems > 0 ? 1 : 0;
}

} // namespace medic::cli
