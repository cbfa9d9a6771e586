#pragma once
// What several actions share: where a service keeps its data, chown through the
// helper, replacing a container with a fresh one, and the actions' factories.

#include <memory>
#include <string>
#include <vector>

#include "heal/action.hpp"
#include "heal/container_config.hpp"

namespace medic::heal {

/// incident.context[key], or "".
std::string context_value(const ActionContext& context, const std::string& key);

/// Redis' data folder: the value of --dir in its command, else the profile's /data.
std::string redis_data_dir(const docker::ContainerDetails& container);

/// PostgreSQL's data folder: PGDATA, else the profile's default.
std::string postgres_data_dir(const docker::ContainerDetails& container);

/// The uid:gid the service runs as: what the examination found (Config.User, or the user its
/// processes were seen running as), else Config.User resolved in the image, else `fallback`.
boost::asio::awaitable<Result<std::string>> service_owner(ActionContext& context, std::string fallback);

/// A folder or file the examination found the service's user cannot pass or write.
struct BlockedPath {
    std::string path;
    std::string current_owner; ///< "0:0"
    std::string mode;          ///< "0755"
};

/// What the examination before this playbook found blocked on the container's mounts; {} when it did not look.
std::vector<BlockedPath> examined_blocked_paths(const ActionContext& context);

/// chown -R `owner` over `paths` inside the container's volumes.
boost::asio::awaitable<ActionResult> chown_tree(ActionContext& context, const std::string& owner,
                                                const std::vector<std::string>& paths);

/// Replaces context.container with a fresh container of the same configuration (and
/// `changes`) under the same name; the old one is kept, renamed, until the new one
/// started, then removed (its full configuration journaled first). On failure the old
/// one is put back. Updates context.container.
boost::asio::awaitable<ActionResult> replace_container(ActionContext& context, const ReplacementChanges& changes);

/// True when Docker restarts the container by itself (always, unless-stopped, on-failure).
bool has_restart_policy(const docker::ContainerDetails& container);

/// True for medic's own container and its helpers.
bool is_medic_container(const docker::ContainerDetails& container, const HealOptions& options);

/// False for medic's own containers and for containers opted out (medic.enable=false, or
/// not medic.enable=true under `watch: opt-in`): medic leaves those alone.
bool may_act_on(const docker::ContainerDetails& container, const HealOptions& options);

// The registered actions, one per file in src/heal/actions/.
std::unique_ptr<Action> make_restart_container();
std::unique_ptr<Action> make_recreate_container();
std::unique_ptr<Action> make_remove_conflicting_container();
std::unique_ptr<Action> make_find_alternative_port();
std::unique_ptr<Action> make_stop_port_holder();
std::unique_ptr<Action> make_fix_volume_permissions();
std::unique_ptr<Action> make_fix_redis_permissions();
std::unique_ptr<Action> make_fix_postgres_permissions();
std::unique_ptr<Action> make_create_mount_source();
std::unique_ptr<Action> make_cleanup_disk_space();
std::unique_ptr<Action> make_free_memory();
std::unique_ptr<Action> make_repair_redis_aof();
std::unique_ptr<Action> make_quarantine_redis_rdb();
std::unique_ptr<Action> make_reset_redis_data();
std::unique_ptr<Action> make_remove_postgres_lock();
std::unique_ptr<Action> make_restart_docker_daemon();
std::unique_ptr<Action> make_reconnect_network();
std::unique_ptr<Action> make_stop_container();

} // namespace medic::heal
