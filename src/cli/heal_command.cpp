#include "cli/heal_command.hpp"

#include <filesystem>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "cli/daemon_connection.hpp"
#include "heal/action_registry.hpp"
#include "heal/heal_engine.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

asio::awaitable<int> heal_now(const HealCommandOptions& options, const heal::Action& action)
{
    auto client = co_await connect_to_daemon(options.docker_host);
    if (!client) {
        std::cerr << "medic heal: " << explain_connection_failure(client.error()) << "\n";
        co_return 2;
    }
    auto playbooks = heal::PlaybookCatalog::load_embedded();
    if (!playbooks) {
        std::cerr << "medic heal: " << playbooks.error().message << "\n";
        co_return 2;
    }
    std::error_code ignored;
    std::filesystem::create_directories(options.data_dir, ignored);
    auto store = store::Store::open(options.data_dir + "/medic.db");
    incident::IncidentTracker tracker(*store);
    heal::HealOptions heal_options;
    heal_options.helper_image = options.helper_image;
    heal::HealEngine engine(co_await asio::this_coro::executor, **client, *store, tracker, std::move(*playbooks),
                            heal_options);
    const auto run = co_await engine.run_requested(options.container, action);
    std::cout << fmt::format("{} on {}: {}\n{}\n", action.name(), options.container,
                             run.verdict.healthy ? "healed" : "not healed", run.result.detail);
    if (!run.verdict.evidence.empty()) {
        std::cout << run.verdict.evidence << "\n";
    }
    co_return run.verdict.healthy ? 0 : 1;
}

} // namespace

int run_heal(const HealCommandOptions& options)
{
    const auto* action = heal::find_action(options.action);
    if (action == nullptr) {
        std::cerr << fmt::format("medic heal: unknown action '{}' (known: {})\n", options.action,
                                 heal::known_action_names());
        return 2;
    }
    if ((action->safety() == heal::Safety::destructive || action->safety() == heal::Safety::host) &&
        !options.confirmed) {
        std::cerr << fmt::format("medic heal: {} is a {} action ({}); pass --yes to run it\n", action->name(),
                                 heal::to_string(action->safety()), action->summary());
        return 2;
    }
    asio::io_context io;
    return run_blocking(io, heal_now(options, *action));
}

} // namespace medic::cli
