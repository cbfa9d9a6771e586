// The routes of the history: incidents, errors (findings), recovery (actions) and their statistics.
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "api/server_impl.hpp"
#include "api/views.hpp"
#include "common/time_format.hpp"
#include "incident/incident_tracker.hpp"

namespace medic::api {
namespace {

nlohmann::json outcomes_json(const store::Outcomes& outcomes)
{
    return {{"total", outcomes.total},
            {"succeeded", outcomes.succeeded},
            {"failed", outcomes.failed},
            {"success_rate", outcomes.total > 0 ? nlohmann::json(static_cast<double>(outcomes.succeeded) /
                                                                 static_cast<double>(outcomes.total))
                                                : nlohmann::json(nullptr)}};
}

} // namespace

tl::expected<store::Page, ParameterError> ApiServer::Impl::page_of(const Target& target)
{
    auto page = integer_parameter(target, "page", 1, 1, 1000000);
    if (!page) {
        return tl::unexpected(page.error());
    }
    auto per_page = integer_parameter(target, "per_page", 50, 1, 500);
    if (!per_page) {
        return tl::unexpected(per_page.error());
    }
    return store::Page{static_cast<int>(*page), static_cast<int>(*per_page)};
}

tl::expected<ApiServer::Impl::ListQuery, ParameterError> ApiServer::Impl::list_query(const Target& target)
{
    auto page = page_of(target);
    if (!page) {
        return tl::unexpected(page.error());
    }
    auto name = text_parameter(target, "container");
    if (name && !is_valid_container_name(*name)) {
        return tl::unexpected(ParameterError{"container", "not a container name"});
    }
    return ListQuery{*page, std::move(name)};
}

asio::awaitable<Response> ApiServer::Impl::incidents(const Request& request, const Target& target, const Captures&)
{
    auto list = list_query(target);
    if (!list) {
        co_return bad_parameter(request, list.error());
    }
    const auto state = text_parameter(target, "state").value_or("all");
    if (state != "all" && state != "open") {
        co_return error_reply(request, http::status::bad_request, "state must be open or all", "state");
    }
    std::int64_t total = 0;
    const auto rows = deps.store.incidents(
        store::IncidentQuery{.open_only = state == "open", .container = list->container, .page = list->page}, &total);
    co_return page_reply(request, list->page, total, "incidents", rows, incident_json);
}

tl::expected<std::int64_t, ParameterError> ApiServer::Impl::id_of(const std::string& text)
{
    Target target;
    target.parameters["id"] = text;
    return integer_parameter(target, "id", 0, 1, std::numeric_limits<std::int64_t>::max());
}

asio::awaitable<Response> ApiServer::Impl::incident(const Request& request, const Target&, const Captures& captures)
{
    auto id = id_of(captures[0]);
    if (!id) {
        co_return bad_parameter(request, id.error());
    }
    auto found = deps.store.incident_by_id(*id);
    if (!found) {
        co_return error_reply(request, http::status::not_found, fmt::format("no incident {}", *id));
    }
    auto body = incident_json(*found);
    body["findings"] = nlohmann::json::array();
    for (const auto& finding : deps.store.findings(store::FindingQuery{.page = {1, 500}, .incident_id = *id})) {
        body["findings"].push_back(finding_json(finding));
    }
    auto actions = deps.store.actions(store::ActionQuery{.page = {1, 500}, .incident_id = *id});
    std::reverse(actions.begin(), actions.end()); // a timeline reads oldest first
    body["actions"] = nlohmann::json::array();
    for (const auto& action : actions) {
        body["actions"].push_back(action_json(action));
    }
    co_return json_reply(request, http::status::ok, body);
}

Response ApiServer::Impl::resolve(const Request& request, std::int64_t incident_id)
{
    auto body = body_object(request, {"note"});
    if (!body) {
        return bad_parameter(request, body.error());
    }
    auto note = body_string(*body, "note", 4096);
    if (!note) {
        return bad_parameter(request, note.error());
    }
    auto found = deps.store.incident_by_id(incident_id);
    if (!found) {
        return error_reply(request, http::status::not_found, fmt::format("no incident {}", incident_id));
    }
    if (found->state != incident::IncidentState::resolved) {
        deps.tracker.set_state(incident_id, incident::IncidentState::resolved, unix_millis_now(),
                               note->empty() ? std::string("resolved by an operator")
                                             : fmt::format("resolved by an operator: {}", *note));
        found = deps.store.incident_by_id(incident_id);
    }
    return json_reply(request, http::status::ok, incident_json(*found));
}

asio::awaitable<Response> ApiServer::Impl::resolve_incident(const Request& request, const Target&,
                                                            const Captures& captures)
{
    auto id = id_of(captures[0]);
    if (!id) {
        co_return bad_parameter(request, id.error());
    }
    co_return resolve(request, *id);
}

asio::awaitable<Response> ApiServer::Impl::resolve_finding(const Request& request, const Target&,
                                                           const Captures& captures)
{
    auto id = id_of(captures[0]);
    if (!id) {
        co_return bad_parameter(request, id.error());
    }
    const auto finding = deps.store.finding_by_id(*id);
    if (!finding) {
        co_return error_reply(request, http::status::not_found, fmt::format("no error {}", *id));
    }
    co_return resolve(request, finding->incident_id);
}

asio::awaitable<Response> ApiServer::Impl::errors(const Request& request, const Target& target, const Captures&)
{
    auto list = list_query(target);
    if (!list) {
        co_return bad_parameter(request, list.error());
    }
    auto type = text_parameter(target, "type");
    if (type && !classify::parse_error_type(*type)) {
        co_return error_reply(request, http::status::bad_request, fmt::format("unknown error type '{}'", *type),
                              "type");
    }
    auto since = integer_parameter(target, "since", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!since) {
        co_return bad_parameter(request, since.error());
    }
    std::int64_t total = 0;
    const auto rows = deps.store.findings(
        store::FindingQuery{.page = list->page, .type = type, .container = list->container, .since = *since}, &total);
    co_return page_reply(request, list->page, total, "errors", rows, finding_json);
}

asio::awaitable<Response> ApiServer::Impl::error_stats(const Request& request, const Target&, const Captures&)
{
    const auto statistics = deps.store.statistics(unix_millis_now());
    auto hours = nlohmann::json::array();
    for (const auto& hour : statistics.recent_hours) {
        hours.push_back({{"hour", hour.hour}, {"total", hour.total}, {"by_type", hour.per_type}});
    }
    co_return json_reply(request, http::status::ok,
                         {{"total_findings", statistics.total_findings},
                          {"total_incidents", statistics.total_incidents},
                          {"mean_time_to_detect_ms", statistics.mean_time_to_detect_ms},
                          {"by_type", statistics.per_type},
                          {"by_container", statistics.per_container},
                          {"by_hour", hours},
                          {"trend", {{"last_24h", statistics.last_24h}, {"previous_24h", statistics.previous_24h}}}});
}

asio::awaitable<Response> ApiServer::Impl::recovery(const Request& request, const Target& target, const Captures&)
{
    auto list = list_query(target);
    if (!list) {
        co_return bad_parameter(request, list.error());
    }
    std::optional<store::ActionState> state;
    if (auto text = text_parameter(target, "state")) {
        state = store::parse_action_state(*text);
        if (!state) {
            co_return error_reply(request, http::status::bad_request,
                                  "state must be planned, running, succeeded, failed, skipped or interrupted", "state");
        }
    }
    auto action = text_parameter(target, "action");
    if (action && action->size() > 64) {
        co_return error_reply(request, http::status::bad_request, "action is longer than 64 bytes", "action");
    }
    std::int64_t total = 0;
    const auto rows = deps.store.actions(
        store::ActionQuery{.page = list->page, .container = list->container, .action = action, .state = state}, &total);
    co_return page_reply(request, list->page, total, "actions", rows, action_json);
}

asio::awaitable<Response> ApiServer::Impl::recovery_stats(const Request& request, const Target&, const Captures&)
{
    const auto statistics = deps.store.recovery_statistics(unix_millis_now());
    auto body = outcomes_json(statistics.overall);
    body["mean_time_to_recover_ms"] = statistics.mean_time_to_recover_ms
                                          ? nlohmann::json(*statistics.mean_time_to_recover_ms)
                                          : nlohmann::json(nullptr);
    body["by_action"] = nlohmann::json::object();
    for (const auto& [name, outcomes] : statistics.per_action) {
        body["by_action"][name] = outcomes_json(outcomes);
    }
    body["by_type"] = nlohmann::json::object();
    for (const auto& [type, outcomes] : statistics.per_type) {
        body["by_type"][type] = outcomes_json(outcomes);
    }
    body["by_hour"] = nlohmann::json::array();
    for (const auto& hour : statistics.recent_hours) {
        body["by_hour"].push_back({{"hour", hour.hour}, {"succeeded", hour.succeeded}, {"failed", hour.failed}});
    }
    co_return json_reply(request, http::status::ok, body);
}

} // namespace medic::api
