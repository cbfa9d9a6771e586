#include "heal/actions/action_support.hpp"

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "heal/examination.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

namespace asio = boost::asio;

/// Puts the old container back under its name after a failed replacement.
asio::awaitable<void> roll_back(ActionContext& context, const std::string& old_id, const std::string& name,
                                bool was_running)
{
    co_await context.client.rename_container(old_id, name);
    if (was_running) {
        co_await context.client.start_container(old_id);
    }
}

} // namespace

std::string context_value(const ActionContext& context, const std::string& key)
{
    auto found = context.incident.context.find(key);
    return found == context.incident.context.end() ? std::string() : found->second;
}

std::string redis_data_dir(const docker::ContainerDetails& container)
{
    for (std::size_t index = 0; index + 1 < container.command.size(); ++index) {
        if (container.command[index] == "--dir") {
            return container.command[index + 1];
        }
    }
    return std::string(traits_of(Profile::redis).data_dir);
}

std::string postgres_data_dir(const docker::ContainerDetails& container)
{
    return container.env("PGDATA").value_or(std::string(traits_of(Profile::postgres).data_dir));
}

asio::awaitable<Result<std::string>> service_owner(ActionContext& context, std::string fallback)
{
    if (context.examination != nullptr && context.examination->user.source != ServiceUser::Source::unknown) {
        co_return context.examination->user.owner();
    }
    co_return co_await resolve_owner(context.helper, context.container, std::move(fallback));
}

std::vector<BlockedPath> examined_blocked_paths(const ActionContext& context)
{
    std::vector<BlockedPath> blocked;
    if (context.examination == nullptr) {
        return blocked;
    }
    for (const auto& check : context.examination->checks) {
        if (check.outcome != CheckOutcome::failed || !check.finding || check.finding->check != "check-mount-access") {
            continue;
        }
        const auto& found = check.finding->context;
        auto value = [&](const char* key) { return found.contains(key) ? found.at(key) : std::string(); };
        blocked.push_back({value("path"), value("current_owner"), value("mode")});
    }
    return blocked;
}

asio::awaitable<ActionResult> chown_tree(ActionContext& context, const std::string& owner,
                                         const std::vector<std::string>& paths)
{
    std::vector<std::string> command{"chown", "-R", owner};
    command.insert(command.end(), paths.begin(), paths.end());
    auto run = co_await context.helper.run(context.container, command);
    if (!run) {
        co_return failed("the helper container could not run: " + run.error().message);
    }
    if (run->exit_code != 0) {
        co_return failed(fmt::format("chown -R {} failed (exit {}): {}", owner, run->exit_code, run->output));
    }
    co_return acted(fmt::format("chown -R {} {} (helper image {})", owner, fmt::join(paths, " "), run->image));
}

bool has_restart_policy(const docker::ContainerDetails& container)
{
    return !container.restart_policy.empty() && container.restart_policy != "no";
}

bool is_medic_container(const docker::ContainerDetails& container, const HealOptions& options)
{
    if (!options.self_container_id.empty() && container.id.starts_with(options.self_container_id)) {
        return true;
    }
    auto helper = container.labels.find("medic.helper");
    return helper != container.labels.end() && helper->second == "true";
}

bool may_act_on(const docker::ContainerDetails& container, const HealOptions& options)
{
    if (is_medic_container(container, options) || (options.only && !options.only->matches(container.labels))) {
        return false;
    }
    auto enable = container.labels.find("medic.enable");
    const bool enabled = enable != container.labels.end() && enable->second == "true";
    const bool disabled = enable != container.labels.end() && enable->second == "false";
    return !disabled && (enabled || !options.opt_in);
}

asio::awaitable<ActionResult> replace_container(ActionContext& context, const ReplacementChanges& changes)
{
    auto& client = context.client;
    const auto old = context.container;
    auto replacement = replacement_for(old, changes);
    if (!replacement) {
        co_return failed(replacement.error().message);
    }
    if (context.record_before) {
        context.record_before(old.raw_json); // the whole configuration, before anything changes
    }
    const bool was_running = old.running || old.restarting;
    if (was_running) {
        if (auto stopped = co_await client.stop_container(old.id, 10); !stopped) {
            co_return failed("could not stop the old container: " + stopped.error().message);
        }
    }
    const auto parked = fmt::format("{}-medic-replaced-{}", old.name, format_utc(unix_nanos_now(), TimeStyle::compact));
    if (auto renamed = co_await client.rename_container(old.id, parked); !renamed) {
        co_return failed("could not rename the old container: " + renamed.error().message);
    }
    auto created = co_await client.create_container_from_json(old.name, replacement->body);
    if (!created && created.error().is_status(409)) {
        // The name is held by yet another container: medic frees it only when that one is stopped.
        auto holder = co_await client.inspect_container(old.name);
        if (holder && !holder->running && !holder->restarting && !is_medic_container(*holder, context.options)) {
            if (context.record_before) {
                context.record_before(holder->raw_json);
            }
            co_await client.remove_container(holder->id);
            created = co_await client.create_container_from_json(old.name, replacement->body);
        }
    }
    if (!created) {
        co_await roll_back(context, old.id, old.name, was_running);
        co_return failed("could not create the replacement: " + created.error().message);
    }
    for (const auto& network : replacement->extra_networks) {
        co_await client.connect_network(network, *created);
    }
    if (auto started = co_await client.start_container(*created); !started) {
        docker::RemoveOptions remove;
        remove.force = true;
        co_await client.remove_container(*created, remove);
        co_await roll_back(context, old.id, old.name, was_running);
        co_return failed("the replacement did not start: " + started.error().message);
    }
    co_await client.remove_container(old.id); // volumes stay: named ones by name, anonymous ones carried over
    auto fresh = co_await client.inspect_container(*created);
    if (fresh) {
        context.container = std::move(*fresh);
    }
    co_return acted(fmt::format("replaced container {} with {} (same configuration{})", old.id.substr(0, 12),
                                created->substr(0, 12), changes.host_ports.empty() ? "" : ", new host port"));
}

} // namespace medic::heal
