#include "heal/examination.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace medic::heal {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<CheckKind, std::string_view>, 11> k_kinds{{
    {CheckKind::service_user, "service_user"},
    {CheckKind::mount_access, "mount_access"},
    {CheckKind::mount_read_only, "mount_read_only"},
    {CheckKind::mount_space, "mount_space"},
    {CheckKind::mount_inodes, "mount_inodes"},
    {CheckKind::host_port, "host_port"},
    {CheckKind::network_namespace, "network_namespace"},
    {CheckKind::bind_source, "bind_source"},
    {CheckKind::entrypoint, "entrypoint"},
    {CheckKind::exit_status, "exit_status"},
    {CheckKind::data_location, "data_location"},
}};

constexpr std::array<std::pair<CheckOutcome, std::string_view>, 4> k_outcomes{{
    {CheckOutcome::passed, "passed"},
    {CheckOutcome::failed, "failed"},
    {CheckOutcome::warning, "warning"},
    {CheckOutcome::unknown, "unknown"},
}};

template <typename Enum, std::size_t Size>
std::string_view name_in(const std::array<std::pair<Enum, std::string_view>, Size>& table, Enum value)
{
    for (const auto& [candidate, name] : table) {
        if (candidate == value) {
            return name;
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t Size>
std::optional<Enum> value_in(const std::array<std::pair<Enum, std::string_view>, Size>& table, std::string_view text)
{
    for (const auto& [candidate, name] : table) {
        if (name == text) {
            return candidate;
        }
    }
    return std::nullopt;
}

json finding_json(const classify::Finding& finding)
{
    return {{"type", classify::to_string(finding.type)},
            {"severity", classify::to_string(finding.severity)},
            {"check", finding.source_id()},
            {"healable", finding.healable},
            {"context", finding.context},
            {"text", finding.text},
            {"evidence", finding.evidence}};
}

/// A field of `object` of the JSON type `T`, else `fallback`: stored text is read with its types checked.
template <typename T>
T field(const json& object, const char* key, T fallback = T{})
{
    const auto found = object.find(key);
    if (found == object.end()) {
        return fallback;
    }
    if constexpr (std::is_same_v<T, std::string>) {
        return found->is_string() ? found->get<std::string>() : fallback;
    } else if constexpr (std::is_same_v<T, bool>) {
        return found->is_boolean() ? found->get<bool>() : fallback;
    } else {
        return found->is_number() ? found->get<T>() : fallback;
    }
}

classify::Finding finding_from(const json& item)
{
    classify::Finding finding;
    finding.type = classify::parse_error_type(field<std::string>(item, "type")).value_or(finding.type);
    finding.severity = classify::parse_severity(field<std::string>(item, "severity")).value_or(finding.severity);
    finding.check = field<std::string>(item, "check");
    finding.healable = field<bool>(item, "healable");
    finding.text = field<std::string>(item, "text");
    if (const auto context = item.find("context"); context != item.end() && context->is_object()) {
        for (const auto& [name, value] : context->items()) {
            if (value.is_string()) {
                finding.context[name] = value.get<std::string>();
            }
        }
    }
    if (const auto evidence = item.find("evidence"); evidence != item.end() && evidence->is_array()) {
        for (const auto& line : *evidence) {
            if (line.is_string()) {
                finding.evidence.push_back(line.get<std::string>());
            }
        }
    }
    return finding;
}

int strength(const Check& check)
{
    const auto& finding = *check.finding;
    return (finding.type == classify::ErrorType::suspected_compromise ? 10 : 0) + static_cast<int>(finding.severity);
}

} // namespace

std::string_view to_string(CheckKind kind)
{
    return name_in(k_kinds, kind);
}

std::optional<CheckKind> parse_check_kind(std::string_view text)
{
    return value_in(k_kinds, text);
}

std::string_view to_string(CheckOutcome outcome)
{
    return name_in(k_outcomes, outcome);
}

std::optional<CheckOutcome> parse_check_outcome(std::string_view text)
{
    return value_in(k_outcomes, text);
}

std::string_view to_string(ServiceUser::Source source)
{
    switch (source) {
    case ServiceUser::Source::config: return "config";
    case ServiceUser::Source::observed: return "observed";
    case ServiceUser::Source::profile: return "profile";
    case ServiceUser::Source::unknown: return "unknown";
    }
    return "unknown";
}

std::string_view to_string(ExaminationReason reason)
{
    switch (reason) {
    case ExaminationReason::exited_again: return "exited_again";
    case ExaminationReason::cannot_start: return "cannot_start";
    case ExaminationReason::unhealthy: return "unhealthy";
    case ExaminationReason::before_healing: return "before_healing";
    case ExaminationReason::before_escalation: return "before_escalation";
    case ExaminationReason::asked: return "asked";
    }
    return "asked";
}

std::vector<const Check*> Examination::problems() const
{
    std::vector<const Check*> problems;
    for (const auto& check : checks) {
        if (check.outcome == CheckOutcome::failed && check.finding) {
            problems.push_back(&check);
        }
    }
    std::stable_sort(problems.begin(), problems.end(),
                     [](const Check* left, const Check* right) { return strength(*left) > strength(*right); });
    return problems;
}

int Examination::failed_count() const
{
    return static_cast<int>(std::count_if(checks.begin(), checks.end(),
                                          [](const Check& check) { return check.outcome == CheckOutcome::failed; }));
}

std::vector<std::string> Examination::summary() const
{
    std::vector<std::string> lines;
    for (const auto& check : checks) {
        constexpr std::array<std::string_view, 4> k_marks{"ok  ", "FAIL", "warn", "?   "};
        lines.push_back(fmt::format("{} {} {}: {}", k_marks[static_cast<std::size_t>(check.outcome)],
                                    to_string(check.kind), check.subject, check.evidence));
    }
    return lines;
}

std::string to_json(const Examination& examination)
{
    json checks = json::array();
    for (const auto& check : examination.checks) {
        json item{{"kind", to_string(check.kind)},
                  {"outcome", to_string(check.outcome)},
                  {"subject", check.subject},
                  {"evidence", check.evidence}};
        if (check.finding) {
            item["finding"] = finding_json(*check.finding);
        }
        checks.push_back(std::move(item));
    }
    const auto& user = examination.user;
    const json body{{"container_id", examination.container_id},
                    {"container", examination.container_name},
                    {"examined_at", examination.examined_at},
                    {"reason", to_string(examination.reason)},
                    {"state", examination.state},
                    {"started_at", examination.started_at},
                    {"finished_at", examination.finished_at},
                    {"user",
                     {{"uid", user.uid},
                      {"gid", user.gid},
                      {"groups", user.groups},
                      {"source", to_string(user.source)},
                      {"detail", user.detail}}},
                    {"checks", std::move(checks)},
                    {"failed", examination.failed_count()},
                    {"duration_ms", examination.duration.count()},
                    {"helper_ms", examination.helper_duration.count()}};
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Examination> examination_from_json(std::string_view text)
{
    const auto parsed = json::parse(text, nullptr, false);
    if (!parsed.is_object()) {
        return fail(ErrorKind::protocol, "an examination is a JSON object");
    }
    Examination examination;
    examination.container_id = field<std::string>(parsed, "container_id");
    examination.container_name = field<std::string>(parsed, "container");
    examination.examined_at = field<std::int64_t>(parsed, "examined_at");
    examination.state = field<std::string>(parsed, "state");
    examination.started_at = field<std::string>(parsed, "started_at");
    examination.finished_at = field<std::string>(parsed, "finished_at");
    examination.duration = std::chrono::milliseconds(field<std::int64_t>(parsed, "duration_ms"));
    examination.helper_duration = std::chrono::milliseconds(field<std::int64_t>(parsed, "helper_ms"));
    for (auto reason : {ExaminationReason::exited_again, ExaminationReason::cannot_start, ExaminationReason::unhealthy,
                        ExaminationReason::before_healing, ExaminationReason::before_escalation}) {
        if (to_string(reason) == field<std::string>(parsed, "reason")) {
            examination.reason = reason;
        }
    }
    if (const auto user = parsed.find("user"); user != parsed.end() && user->is_object()) {
        examination.user.uid = field<unsigned>(*user, "uid");
        examination.user.gid = field<unsigned>(*user, "gid");
        examination.user.detail = field<std::string>(*user, "detail");
        for (auto source : {ServiceUser::Source::config, ServiceUser::Source::observed, ServiceUser::Source::profile}) {
            if (to_string(source) == field<std::string>(*user, "source")) {
                examination.user.source = source;
            }
        }
    }
    if (const auto checks = parsed.find("checks"); checks != parsed.end() && checks->is_array()) {
        for (const auto& item : *checks) {
            if (!item.is_object()) {
                continue;
            }
            Check check;
            check.kind = parse_check_kind(field<std::string>(item, "kind")).value_or(check.kind);
            check.outcome = parse_check_outcome(field<std::string>(item, "outcome")).value_or(check.outcome);
            check.subject = field<std::string>(item, "subject");
            check.evidence = field<std::string>(item, "evidence");
            if (const auto finding = item.find("finding"); finding != item.end() && finding->is_object()) {
                check.finding = finding_from(*finding);
            }
            examination.checks.push_back(std::move(check));
        }
    }
    return examination;
}

} // namespace medic::heal
