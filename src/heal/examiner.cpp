#include "heal/examiner.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "heal/container_state.hpp"
#include "heal/examine/checks.hpp"
#include "heal/profile.hpp"

namespace medic::heal {
namespace {

namespace asio = boost::asio;

constexpr std::size_t k_kept_runs = 8;
constexpr incident::TimeMs k_fresh_ms = 5000; ///< an examination this young stands for a later run too

/// "1500,1501" (ps supgid), "-" when none.
std::vector<unsigned> groups_of(std::string_view text)
{
    std::vector<unsigned> groups;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(',', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (auto group = parse_id(text.substr(start, end - start))) {
            groups.push_back(*group);
        }
        start = end + 1;
    }
    return groups;
}

} // namespace

std::optional<ObservedUser> user_from_processes(const docker::ProcessList& processes)
{
    auto column = [&](std::initializer_list<std::string_view> names) -> std::optional<std::size_t> {
        for (std::size_t index = 0; index < processes.titles.size(); ++index) {
            for (const auto name : names) {
                if (processes.titles[index] == name) {
                    return index;
                }
            }
        }
        return std::nullopt;
    };
    const auto uid_column = column({"UID"});
    const auto gid_column = column({"GID"});
    const auto groups_column = column({"SUPGID"});
    const auto command_column = column({"COMMAND", "CMD", "COMM"});
    if (!uid_column || !gid_column) {
        return std::nullopt;
    }
    std::optional<ObservedUser> found;
    for (const auto& process : processes.processes) {
        if (process.size() <= std::max(*uid_column, *gid_column)) {
            continue;
        }
        const auto uid = parse_id(process[*uid_column]);
        const auto gid = parse_id(process[*gid_column]);
        if (!uid || !gid) {
            continue;
        }
        ObservedUser user{*uid, *gid, {}, {}, 0};
        if (groups_column && *groups_column < process.size()) {
            user.groups = groups_of(process[*groups_column]);
            std::erase(user.groups, user.gid);
        }
        if (command_column && *command_column < process.size()) {
            user.command = process[*command_column];
        }
        if (!found || (found->uid == 0 && user.uid != 0)) {
            found = std::move(user); // the first process that does not run as root is the service
        }
    }
    return found;
}

asio::awaitable<void> Examiner::observe(std::string container, Pause pause)
{
    using namespace std::chrono_literals;
    for (const auto delay : {300ms, 1200ms, 3500ms, 10000ms}) {
        if (!co_await pause(delay)) {
            co_return;
        }
        auto processes = co_await m_client.top(container, "-o pid,uid,gid,supgid,comm");
        if (!processes && processes.error().is_status(500)) {
            processes = co_await m_client.top(container, "-o pid,uid,gid,comm"); // a ps without supgid
        }
        if (!processes) {
            co_return; // it stopped, or is gone
        }
        auto user = user_from_processes(*processes);
        if (!user) {
            continue;
        }
        user->seen_at = unix_millis_now();
        const bool settled = user->uid != 0;
        auto& kept = m_observed[container];
        if (kept.uid == 0 || settled) {
            kept = std::move(*user);
        }
        if (settled) {
            co_return;
        }
    }
}

void Examiner::ran(const std::string& container_id, RunWindow run)
{
    auto& runs = m_runs[container_id];
    if (std::find_if(runs.begin(), runs.end(), [&](const RunWindow& known) { return known.started == run.started; }) !=
        runs.end()) {
        return;
    }
    runs.push_front(run);
    while (runs.size() > k_kept_runs) {
        runs.pop_back();
    }
}

std::optional<ObservedUser> Examiner::observed(const std::string& container_id) const
{
    auto found = m_observed.find(container_id);
    return found == m_observed.end() ? std::nullopt : std::optional<ObservedUser>(found->second);
}

const Examination* Examiner::recent(const docker::ContainerDetails& container, std::chrono::milliseconds max_age) const
{
    auto found = m_last.find(container.name);
    if (found == m_last.end()) {
        return nullptr;
    }
    const auto& last = found->second;
    const auto age = unix_millis_now() - last.examined_at;
    const bool same_run = last.started_at == container.started_at && last.finished_at == container.finished_at;
    // A restart policy starts a new run every second or so; facts seconds old still hold.
    const bool fresh = age <= k_fresh_ms;
    return last.container_id == container.id && (same_run || fresh) && age <= max_age.count() ? &last : nullptr;
}

asio::awaitable<Examination> Examiner::examine(const docker::ContainerDetails& container, ExaminationRequest request)
{
    const auto started = std::chrono::steady_clock::now();
    Examination examination;
    examination.container_id = container.id;
    examination.container_name = container.name;
    examination.examined_at = unix_millis_now();
    examination.reason = request.reason;
    examination.state = describe_state(container);
    examination.started_at = container.started_at;
    examination.finished_at = container.finished_at;
    ExamineContext context{m_client, m_helper, container, detect_profile(container), request};
    context.observed = observed(container.id);
    context.on_host = m_on_host;
    context.now = examination.examined_at;
    if (const auto current = engine_time_millis(container.started_at); current > 0) {
        context.runs.push_back({current, container.running ? 0 : engine_time_millis(container.finished_at)});
    }
    if (auto runs = m_runs.find(container.id); runs != m_runs.end()) {
        context.runs.insert(context.runs.end(), runs->second.begin(), runs->second.end());
    }
    auto& checks = examination.checks;
    checks.push_back(co_await check_service_user(context));
    auto add = [&](std::vector<Check> more) {
        for (auto& check : more) {
            checks.push_back(std::move(check));
        }
    };
    add(co_await check_mounts(context));
    add(co_await check_host_ports(context));
    add(co_await check_network_namespace(context));
    add(co_await check_bind_sources(context));
    add(co_await check_entrypoint(context));
    add(check_exit_status(context));
    add(check_data_location(context));
    examination.user = context.user;
    examination.helper_duration = context.helper_time;
    examination.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    m_last[container.name] = examination;
    co_return examination;
}

} // namespace medic::heal
