#include "cli/journal_command.hpp"

#include <iostream>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/views.hpp"
#include "cli/api_client.hpp"
#include "cli/daemon_connection.hpp"
#include "cli/history.hpp"
#include "common/time_format.hpp"
#include "heal/quarantine.hpp"
#include "heal/volume_helper.hpp"

namespace medic::cli {
namespace {

namespace asio = boost::asio;

std::size_t file_count(const std::string& manifest)
{
    return static_cast<std::size_t>(std::count(manifest.begin(), manifest.end(), '\n'));
}

asio::awaitable<int> restore_entry(const RestoreOptions& options, store::Store& store,
                                   const store::QuarantineRecord& record)
{
    auto client = co_await connect_to_daemon(options.docker_host);
    if (!client) {
        std::cerr << "medic restore: " << explain_connection_failure(client.error()) << "\n";
        co_return 2;
    }
    // By name: a container medic recreated has a new id but the same name and volumes.
    auto container = co_await (*client)->inspect_container(record.container_name);
    if (!container) {
        std::cerr << fmt::format("medic restore: container {} is gone ({}); the files are still in "
                                 "{}/.medic-quarantine/{} in its volume\n",
                                 record.container_name, container.error().message, record.root, record.directory);
        co_return 1;
    }
    if (container->running) {
        std::cerr << fmt::format("medic restore: stop {} first (docker stop {}): files are not swapped under a "
                                 "running service\n",
                                 record.container_name, record.container_name);
        co_return 1;
    }
    heal::VolumeHelper helper(**client, options.helper_image);
    auto restored = co_await heal::restore(helper, *container, record);
    if (!restored) {
        std::cerr << "medic restore: " << restored.error().message << "\n";
        co_return 1;
    }
    store.mark_restored(record.id, unix_millis_now());
    std::cout << *restored;
    co_return 0;
}

} // namespace

namespace {

store::ActionRecord action_from_api(const nlohmann::json& item)
{
    store::ActionRecord action;
    action.id = item.value("id", std::int64_t{0});
    action.incident_id = item.value("incident_id", std::int64_t{0});
    action.container_id = item.value("container_id", "");
    action.container_name = item.value("container", "");
    action.action = item.value("action", "");
    action.safety = item.value("safety", "");
    action.state = store::parse_action_state(item.value("state", "")).value_or(store::ActionState::failed);
    action.dry_run = item.value("dry_run", false);
    action.step = item.value("step", 0);
    action.attempt = item.value("attempt", 0);
    action.started_at = item.value("started_at", std::int64_t{0});
    action.ended_at = item.value("ended_at", std::int64_t{0});
    action.detail = item.value("detail", "");
    action.before = item.value("before", "");
    action.after = item.value("after", "");
    return action;
}

/// The journal from the running medic, newest first; std::nullopt when it does not answer.
std::optional<std::vector<store::ActionRecord>> actions_from_daemon(const ActionsOptions& options)
{
    auto client = ApiClient::connect({options.api_address, options.data_dir});
    if (!client) {
        return std::nullopt;
    }
    auto body = options.incident != 0 ? client->get(fmt::format("/api/incidents/{}", options.incident))
                                      : client->get(fmt::format("/api/docker/recovery?per_page={}", options.limit));
    if (!body) {
        return std::nullopt;
    }
    const auto parsed = nlohmann::json::parse(*body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("actions")) {
        return std::nullopt;
    }
    std::vector<store::ActionRecord> actions;
    for (const auto& item : parsed["actions"]) {
        actions.push_back(action_from_api(item));
    }
    if (options.incident != 0) {
        std::reverse(actions.begin(), actions.end()); // the incident's timeline is oldest first
        actions.resize(std::min<std::size_t>(actions.size(), static_cast<std::size_t>(options.limit)));
    }
    return actions;
}

} // namespace

int run_actions(const ActionsOptions& options)
{
    auto actions = actions_from_daemon(options);
    if (!actions) {
        // medic run is not running (or is another one): its history file tells the same.
        auto store = open_history(options.data_dir, "actions");
        if (!store) {
            return 1;
        }
        actions = store->actions(options.incident, store::Page{1, options.limit});
    }
    if (options.json) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& action : *actions) {
            array.push_back(api::action_json(action));
        }
        std::cout << array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cout << fmt::format("{:<5} {:<8} {:<28} {:<28} {:<11} {:<19}  {}\n", "ID", "INCIDENT", "CONTAINER", "ACTION",
                             "STATE", "STARTED (UTC)", "DETAIL");
    for (const auto& action : *actions) {
        std::cout << fmt::format("{:<5} {:<8} {:<28} {:<28} {:<11} {:<19}  {}\n", action.id, action.incident_id,
                                 action.container_name, action.action, store::to_string(action.state),
                                 format_time(action.started_at), action.detail.substr(0, 160));
    }
    return 0;
}

int run_restore(const RestoreOptions& options)
{
    auto store = open_history(options.data_dir, "restore");
    if (!store) {
        return 1;
    }
    if (!options.id) {
        std::cout << fmt::format("{:<5} {:<19}  {:<28} {:<6} {:<10} {}\n", "ID", "MOVED (UTC)", "CONTAINER", "FILES",
                                 "RESTORED", "WHERE (inside the container's volume)");
        for (const auto& record : store->quarantines()) {
            std::cout << fmt::format("{:<5} {:<19}  {:<28} {:<6} {:<10} {}/.medic-quarantine/{}\n", record.id,
                                     format_time(record.created_at), record.container_name, file_count(record.items),
                                     record.restored_at > 0 ? "yes" : "no", record.root, record.directory);
        }
        return 0;
    }
    auto record = store->quarantine_by_id(*options.id);
    if (!record) {
        std::cerr << fmt::format("medic restore: no quarantine entry {} (medic restore lists them)\n", *options.id);
        return 1;
    }
    if (record->restored_at > 0) {
        std::cerr << fmt::format("medic restore: entry {} was restored already\n", *options.id);
        return 1;
    }
    asio::io_context io;
    return run_blocking(io, restore_entry(options, *store, *record));
}

} // namespace medic::cli
