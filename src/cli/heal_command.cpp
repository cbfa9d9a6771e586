#include "cli/heal_command.hpp"

#include <filesystem>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "cli/daemon_connection.hpp"
#include "common/time_format.hpp"
#include "heal/action_registry.hpp"
#include "heal/heal_engine.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

incident::TimeMs now_ms()
{
    return unix_nanos_now() / 1'000'000;
}

asio::awaitable<int> heal_now(const HealCommandOptions& options, const heal::Action& action)
{
    auto client = co_await connect_to_daemon(options.docker_host);
    if (!client) {
        std::cerr << "medic heal: " << explain_connection_failure(client.error()) << "\n";
        co_return 2;
    }
    auto container = co_await (*client)->inspect_container(options.container);
    if (!container) {
        std::cerr << "medic heal: " << options.container << ": " << container.error().message << "\n";
        co_return 1;
    }
    std::error_code ignored;
    std::filesystem::create_directories(options.data_dir, ignored);
    auto store = store::Store::open(options.data_dir + "/medic.db");
    incident::IncidentTracker tracker(*store);
    heal::HealOptions heal_options;
    heal_options.helper_image = options.helper_image;
    auto playbooks = heal::PlaybookCatalog::load_embedded();
    if (!playbooks) {
        std::cerr << "medic heal: " << playbooks.error().message << "\n";
        co_return 2;
    }
    heal::HealEngine engine(co_await asio::this_coro::executor, **client, *store, tracker, std::move(*playbooks),
                            heal_options);
    const incident::Incident asked; // no incident: a person asked
    heal::VolumeHelper helper(**client, options.helper_image);
    const auto profile = heal::detect_profile(*container);
    store::ActionRecord record;
    record.container_id = container->id;
    record.container_name = container->name;
    record.action = std::string(action.name());
    record.safety = std::string(heal::to_string(action.safety()));
    record.attempt = 1;
    record.started_at = now_ms();
    record.before = fmt::format("asked by a person (medic heal); state {}", container->status);
    record.id = store->insert_action(record);
    heal::ActionContext context{**client, helper, *store, heal_options, asked, *container, profile};
    context.action_id = record.id;
    context.record_before = [&](std::string evidence) {
        record.before += "\n" + evidence;
        store->update_action(record);
    };
    auto result = co_await action.run(context);
    record.detail = result.detail;
    record.container_id = context.container.id;
    heal::Verdict verdict{false, ""};
    if (result.outcome == heal::ActionOutcome::done) {
        verdict = co_await engine.verify_service(context.container.name, profile);
    }
    record.after = verdict.evidence;
    record.state = verdict.healthy                                         ? store::ActionState::succeeded
                   : result.outcome == heal::ActionOutcome::not_applicable ? store::ActionState::skipped
                                                                           : store::ActionState::failed;
    record.ended_at = now_ms();
    store->update_action(record);
    std::cout << fmt::format("{} on {}: {}\n{}\n", action.name(), options.container, store::to_string(record.state),
                             result.detail);
    if (!verdict.evidence.empty()) {
        std::cout << verdict.evidence << "\n";
    }
    co_return verdict.healthy ? 0 : 1;
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
