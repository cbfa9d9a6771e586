#pragma once
// One recovery step. Actions are stateless and registered by name
// (heal/action_registry.cpp); the engine journals, limits and verifies them.

#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "docker/client.hpp"
#include "heal/heal_options.hpp"
#include "heal/heal_policy.hpp"
#include "heal/profile.hpp"
#include "heal/safety.hpp"
#include "incident/incident.hpp"
#include "store/store.hpp"

namespace medic::heal {

class VolumeHelper;
struct Examination;

enum class ActionOutcome : std::uint8_t {
    done,           ///< acted; the engine now verifies the container
    not_applicable, ///< nothing to do here (the cause is elsewhere): the next step
    failed,         ///< tried and could not
};

struct ActionResult {
    ActionOutcome outcome = ActionOutcome::failed;
    std::string detail; ///< what was done or why not, for a person
};

inline ActionResult acted(std::string detail)
{
    return {ActionOutcome::done, std::move(detail)};
}
inline ActionResult not_applicable(std::string detail)
{
    return {ActionOutcome::not_applicable, std::move(detail)};
}
inline ActionResult failed(std::string detail)
{
    return {ActionOutcome::failed, std::move(detail)};
}

/// What an action works with. `container` is inspected just before the action runs;
/// an action that replaces the container (recreate) updates it to the new one.
struct ActionContext {
    docker::DockerClient& client;
    VolumeHelper& helper;
    store::Store& store;
    const HealOptions& options;
    const incident::Incident& incident;
    docker::ContainerDetails container;
    Profile profile = Profile::generic;
    ContainerPolicy policy{};
    std::int64_t action_id = 0;
    /// Journals evidence before acting (e.g. the full configuration of a container about to be removed).
    std::function<void(std::string)> record_before{};
    /// What medic found when it examined the container before this playbook; null when it did not.
    const Examination* examination = nullptr;
};

class Action {
public:
    virtual ~Action() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    [[nodiscard]] virtual Safety safety() const = 0;
    /// One sentence for people: what the action does.
    [[nodiscard]] virtual std::string_view summary() const = 0;
    /// Acts; never throws for expected failures (they are an ActionResult).
    virtual boost::asio::awaitable<ActionResult> run(ActionContext& context) const = 0;
};

} // namespace medic::heal
