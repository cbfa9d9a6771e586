// The routes of health and containers, and what a person asks done to a container.
#include <algorithm>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "api/server_impl.hpp"
#include "api/views.hpp"
#include "common/time_format.hpp"
#include "docker/client.hpp"
#include "heal/action_registry.hpp"
#include "heal/heal_engine.hpp"
#include "incident/incident_tracker.hpp"

namespace medic::api {

/// Lists the containers again; the health body is rebuilt on its next read.
asio::awaitable<void> ApiServer::Impl::refresh_containers()
{
    docker::ListContainersOptions list;
    list.all = true;
    auto listed = co_await deps.client.list_containers(list);
    docker_reachable = listed.has_value();
    if (listed) {
        container_list = std::move(*listed);
    }
    listed_at = std::chrono::steady_clock::now();
    health_body.clear();
}

asio::awaitable<void> ApiServer::Impl::refresh_loop()
{
    while (!stopping) {
        co_await refresh_containers();
        if (stopping) {
            break; // stop() came while listing: its cancel found no wait to end
        }
        refresh_timer.expires_after(options.health_refresh);
        co_await refresh_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

/// Open incidents per container name, and each container's newest action.
nlohmann::json ApiServer::Impl::containers_json()
{
    std::map<std::string, int> open;
    for (const auto& incident : deps.tracker.open_incidents()) {
        ++open[incident.container_name];
    }
    std::map<std::string, store::ActionRecord> last_actions;
    for (auto& action : deps.store.actions(store::ActionQuery{.page = {1, 500}})) {
        last_actions.try_emplace(action.container_name, std::move(action)); // newest first
    }
    auto list = nlohmann::json::array();
    for (const auto& container : container_list) {
        const auto name = container.names.empty() ? container.id.substr(0, 12) : container.names.front();
        const auto action = last_actions.find(name);
        list.push_back(container_json(container, open[name], action == last_actions.end() ? nullptr : &action->second));
    }
    return list;
}

const std::string& ApiServer::Impl::health_text()
{
    if (!health_body.empty()) {
        return health_body;
    }
    auto list = containers_json();
    int running = 0;
    int unhealthy = 0;
    for (const auto& container : list) {
        running += container["state"] == "running" ? 1 : 0;
        unhealthy += container["health"] == "unhealthy" ? 1 : 0;
    }
    auto incidents = nlohmann::json::array();
    int escalated = 0;
    for (const auto& incident : deps.tracker.open_incidents()) {
        incidents.push_back(incident_json(incident));
        escalated += incident.state == incident::IncidentState::escalated ? 1 : 0;
    }
    const auto status = !docker_reachable || escalated > 0      ? "unhealthy"
                        : (!incidents.empty() || unhealthy > 0) ? "degraded"
                                                                : "healthy";
    nlohmann::json body{{"status", status},
                        {"daemon",
                         {{"reachable", docker_reachable},
                          {"version", deps.docker_version},
                          {"api_version", deps.docker_api_version},
                          {"endpoint", deps.client.endpoint().to_string()}}},
                        {"counts",
                         {{"containers", list.size()},
                          {"running", running},
                          {"unhealthy", unhealthy},
                          {"open_incidents", incidents.size()},
                          {"escalated", escalated}}},
                        {"containers", std::move(list)},
                        {"open_incidents", std::move(incidents)},
                        {"generated_at", unix_millis_now()}};
    health_body = dump_json(body);
    return health_body;
}

asio::awaitable<void> ApiServer::Impl::ensure_listed()
{
    if (listed_at == std::chrono::steady_clock::time_point{}) {
        co_await refresh_containers();
    }
}

asio::awaitable<Response> ApiServer::Impl::healthz(const Request& request, const Target&, const Captures&)
{
    co_return json_reply(request, http::status::ok,
                         {{"status", "ok"}, {"docker", docker_reachable ? "connected" : "unreachable"}});
}

asio::awaitable<Response> ApiServer::Impl::health(const Request& request, const Target&, const Captures&)
{
    co_await ensure_listed();
    co_return json_text_reply(request, http::status::ok, health_text());
}

asio::awaitable<Response> ApiServer::Impl::containers(const Request& request, const Target&, const Captures&)
{
    co_await ensure_listed();
    nlohmann::json body{{"containers", containers_json()}};
    co_return json_reply(request, http::status::ok, body);
}

/// The container's details, or the reply that says why not.
asio::awaitable<tl::expected<docker::ContainerDetails, Response>> ApiServer::Impl::inspect(const Request& request,
                                                                                           const std::string& name)
{
    if (!is_valid_container_name(name)) {
        co_return tl::unexpected(error_reply(request, http::status::bad_request,
                                             "not a container name: letters, digits, '_', '.' and '-', starting "
                                             "with a letter or digit, at most 128",
                                             "name"));
    }
    auto details = co_await deps.client.inspect_container(name);
    if (!details) {
        if (details.error().is_status(404)) {
            co_return tl::unexpected(
                error_reply(request, http::status::not_found, fmt::format("no container named {}", name)));
        }
        co_return tl::unexpected(
            error_reply(request, http::status::bad_gateway, fmt::format("Docker: {}", details.error().message)));
    }
    co_return std::move(*details);
}

asio::awaitable<Response> ApiServer::Impl::container(const Request& request, const Target&, const Captures& captures)
{
    auto details = co_await inspect(request, captures[0]);
    if (!details) {
        co_return std::move(details.error());
    }
    int open = 0;
    for (const auto& incident : deps.tracker.open_incidents()) {
        open += incident.container_name == details->name || incident.container_id == details->id ? 1 : 0;
    }
    auto incidents = deps.store.incidents(store::IncidentQuery{.container = details->name, .page = {1, 50}});
    auto actions = deps.store.actions(store::ActionQuery{.page = {1, 50}, .container = details->name});
    auto listed = std::find_if(container_list.begin(), container_list.end(),
                               [&](const docker::ContainerSummary& summary) { return summary.id == details->id; });
    if (listed == container_list.end()) {
        co_await refresh_containers(); // created since the last list
        listed = std::find_if(container_list.begin(), container_list.end(),
                              [&](const docker::ContainerSummary& summary) { return summary.id == details->id; });
    }
    auto body = container_details_json(*details, listed == container_list.end() ? nullptr : &*listed, open,
                                       actions.empty() ? nullptr : &actions.front());
    body["incidents"] = nlohmann::json::array();
    for (const auto& incident : incidents) {
        body["incidents"].push_back(incident_json(incident));
    }
    body["actions"] = nlohmann::json::array();
    for (const auto& action : actions) {
        body["actions"].push_back(action_json(action));
    }
    const auto examination = deps.store.latest_examination(details->name);
    body["examination"] = examination ? examination_json(*examination) : nlohmann::json(nullptr);
    co_return json_reply(request, http::status::ok, body);
}

/// The newest examination of a container: each check, pass or fail, and what it saw.
asio::awaitable<Response> ApiServer::Impl::container_examination(const Request& request, const Target&,
                                                                 const Captures& captures)
{
    auto details = co_await inspect(request, captures[0]);
    if (!details) {
        co_return std::move(details.error());
    }
    const auto examination = deps.store.latest_examination(details->name);
    if (!examination) {
        co_return error_reply(request, http::status::not_found,
                              fmt::format("medic has not examined {} yet; POST .../examine asks it to", details->name));
    }
    co_return json_reply(request, http::status::ok, examination_json(*examination));
}

/// Examines a container now (changes nothing: helper containers only look).
asio::awaitable<Response> ApiServer::Impl::container_examine(const Request& request, const Target&,
                                                             const Captures& captures)
{
    auto details = co_await inspect(request, captures[0]);
    if (!details) {
        co_return std::move(details.error());
    }
    if (deps.engine == nullptr) {
        co_return error_reply(request, http::status::service_unavailable, "healing is not running");
    }
    auto examination = co_await deps.engine->examine_now(details->name, heal::ExaminationReason::asked);
    if (!examination) {
        co_return error_reply(request, http::status::bad_gateway, examination.error().message);
    }
    const auto stored = deps.store.latest_examination(details->name);
    co_return json_reply(request, http::status::ok,
                         stored ? examination_json(*stored)
                                : nlohmann::json::parse(heal::to_json(*examination), nullptr, false));
}

/// start, stop or restart, asked by a person: journaled like medic's own actions.
asio::awaitable<Response> ApiServer::Impl::container_operation(const Request& request, const std::string& name,
                                                               std::string_view operation)
{
    auto details = co_await inspect(request, name);
    if (!details) {
        co_return std::move(details.error());
    }
    store::ActionRecord record;
    record.container_id = details->id;
    record.container_name = details->name;
    record.action = fmt::format("{}_container", operation);
    record.safety = operation == "stop" ? "disruptive" : "safe";
    record.state = store::ActionState::running;
    record.started_at = unix_millis_now();
    record.detail = "asked by an operator through the API";
    record.before = fmt::format("state {}", details->status);
    record.id = deps.store.insert_action(record);
    Result<void> done;
    if (operation == "start") {
        done = co_await deps.client.start_container(details->id);
    } else if (operation == "stop") {
        done = co_await deps.client.stop_container(details->id);
    } else {
        done = co_await deps.client.restart_container(details->id);
    }
    record.ended_at = unix_millis_now();
    record.state = done ? store::ActionState::succeeded : store::ActionState::failed;
    if (!done) {
        record.detail += fmt::format("; Docker refused: {}", done.error().message);
    }
    deps.store.update_action(record);
    if (!done) {
        co_return error_reply(request, http::status::bad_gateway, fmt::format("Docker: {}", done.error().message));
    }
    co_await refresh_containers();
    co_return json_reply(request, http::status::ok,
                         {{"container", details->name}, {"action", operation}, {"result", "done"}});
}

asio::awaitable<Response> ApiServer::Impl::container_start(const Request& request, const Target&,
                                                           const Captures& captures)
{
    co_return co_await container_operation(request, captures[0], "start");
}

asio::awaitable<Response> ApiServer::Impl::container_stop(const Request& request, const Target&,
                                                          const Captures& captures)
{
    co_return co_await container_operation(request, captures[0], "stop");
}

asio::awaitable<Response> ApiServer::Impl::container_restart(const Request& request, const Target&,
                                                             const Captures& captures)
{
    co_return co_await container_operation(request, captures[0], "restart");
}

asio::awaitable<Response> ApiServer::Impl::container_heal(const Request& request, const Target&,
                                                          const Captures& captures)
{
    auto body = body_object(request, {"action", "confirm"});
    if (!body) {
        co_return bad_parameter(request, body.error());
    }
    auto action_name = body_string(*body, "action", 64);
    if (!action_name) {
        co_return bad_parameter(request, action_name.error());
    }
    const auto confirmed = body_bool(*body, "confirm");
    if (!confirmed) {
        co_return bad_parameter(request, confirmed.error());
    }
    auto details = co_await inspect(request, captures[0]);
    if (!details) {
        co_return std::move(details.error());
    }
    if (deps.engine == nullptr) {
        co_return error_reply(request, http::status::service_unavailable, "healing is not running");
    }
    if (action_name->empty()) {
        for (const auto& incident : deps.tracker.open_incidents()) {
            if (incident.container_name == details->name || incident.container_id == details->id) {
                deps.engine->on_incident(incident);
                co_return json_reply(request, http::status::accepted,
                                     {{"container", details->name},
                                      {"incident", incident.id},
                                      {"state", "healing"},
                                      {"detail", fmt::format("the playbook of incident {} ({}) runs", incident.id,
                                                             classify::to_string(incident.type))}});
            }
        }
        co_return error_reply(request, http::status::conflict,
                              fmt::format("{} has no open incident; name an action to run", details->name), "action");
    }
    const auto* action = heal::find_action(*action_name);
    if (action == nullptr) {
        co_return error_reply(request, http::status::bad_request,
                              fmt::format("unknown action '{}' (known: {})", *action_name, heal::known_action_names()),
                              "action");
    }
    if ((action->safety() == heal::Safety::destructive || action->safety() == heal::Safety::host) && !*confirmed) {
        co_return error_reply(request, http::status::bad_request,
                              fmt::format("{} is a {} action ({}); send \"confirm\": true to run it", action->name(),
                                          heal::to_string(action->safety()), action->summary()),
                              "confirm");
    }
    const auto run = co_await deps.engine->run_requested(details->name, *action);
    co_await refresh_containers();
    co_return json_reply(request, http::status::ok,
                         {{"container", details->name},
                          {"action", action->name()},
                          {"state", run.verdict.healthy ? "succeeded" : "failed"},
                          {"detail", run.result.detail},
                          {"evidence", run.verdict.evidence}});
}

} // namespace medic::api
