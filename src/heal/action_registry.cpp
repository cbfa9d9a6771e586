#include "heal/action_registry.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

using Factory = std::unique_ptr<Action> (*)();

// The one table of actions; a playbook naming anything else is rejected when loaded.
constexpr std::array<Factory, 18> k_factories{
    make_restart_container,
    make_recreate_container,
    make_remove_conflicting_container,
    make_find_alternative_port,
    make_stop_port_holder,
    make_fix_volume_permissions,
    make_fix_redis_permissions,
    make_fix_postgres_permissions,
    make_create_mount_source,
    make_cleanup_disk_space,
    make_free_memory,
    make_repair_redis_aof,
    make_quarantine_redis_rdb,
    make_reset_redis_data,
    make_remove_postgres_lock,
    make_restart_docker_daemon,
    make_reconnect_network,
    make_stop_container,
};

struct Registry {
    std::vector<std::unique_ptr<Action>> owned;
    std::vector<const Action*> actions;

    Registry()
    {
        for (auto factory : k_factories) {
            if (factory == nullptr) {
                throw std::logic_error("the action table has an empty slot");
            }
            owned.push_back(factory());
            for (const auto* known : actions) {
                if (known->name() == owned.back()->name()) {
                    throw std::logic_error(fmt::format("action '{}' is registered twice", known->name()));
                }
            }
            actions.push_back(owned.back().get());
        }
    }
};

const Registry& registry()
{
    static const Registry instance;
    return instance;
}

} // namespace

const Action* find_action(std::string_view name)
{
    for (const auto* action : registry().actions) {
        if (action->name() == name) {
            return action;
        }
    }
    return nullptr;
}

const std::vector<const Action*>& all_actions()
{
    return registry().actions;
}

std::string known_action_names()
{
    std::vector<std::string_view> names;
    for (const auto* action : all_actions()) {
        names.push_back(action->name());
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

} // namespace medic::heal
