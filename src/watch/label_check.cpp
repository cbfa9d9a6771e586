#include "watch/label_check.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

namespace medic::watch {
namespace {

enum class ValueKind { boolean, text, positive_integer, priority, duration };

struct KnownLabel {
    std::string_view name;
    ValueKind kind;
};

constexpr std::array<KnownLabel, 17> k_labels{{
    {"medic.enable", ValueKind::boolean},
    {"medic.profile", ValueKind::text},
    {"medic.http.endpoints", ValueKind::text},
    {"medic.actions.allow", ValueKind::text},
    {"medic.actions.deny", ValueKind::text},
    {"medic.max-attempts", ValueKind::positive_integer},
    {"medic.priority", ValueKind::priority},
    {"medic.depends-on", ValueKind::text},
    {"medic.dry-run", ValueKind::boolean},
    {"medic.probe.address", ValueKind::text},
    {"medic.probe.interval", ValueKind::duration},
    {"medic.probe.timeout", ValueKind::duration},
    {"medic.probe.exec", ValueKind::text},
    {"medic.probes", ValueKind::text},
    {"medic.probe.threshold", ValueKind::positive_integer},
    {"medic.notify", ValueKind::boolean},
    {"medic.keep", ValueKind::boolean},
}};

bool is_positive_integer(std::string_view text)
{
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size() && value > 0;
}

std::string closest_known(std::string_view name)
{
    // The known label sharing the longest prefix: "medic.enabled" -> "medic.enable".
    std::string_view best;
    std::size_t best_length = 0;
    for (const auto& known : k_labels) {
        const auto length = static_cast<std::size_t>(
            std::mismatch(name.begin(), name.end(), known.name.begin(), known.name.end()).first - name.begin());
        if (length > best_length) {
            best_length = length;
            best = known.name;
        }
    }
    return std::string(best);
}

std::string check_value(ValueKind kind, std::string_view value)
{
    switch (kind) {
    case ValueKind::boolean: return value == "true" || value == "false" ? "" : "must be true or false";
    case ValueKind::positive_integer: return is_positive_integer(value) ? "" : "must be a whole number above 0";
    case ValueKind::priority:
        return value == "low" || value == "normal" || value == "high" ? "" : "must be low, normal or high";
    case ValueKind::duration: {
        if (value.empty()) {
            return "must be a duration such as 30s or 5m";
        }
        const char unit = value.back();
        const bool valid_unit = unit == 's' || unit == 'm' || unit == 'h';
        return valid_unit && is_positive_integer(value.substr(0, value.size() - 1))
                   ? ""
                   : "must be a duration such as 30s or 5m";
    }
    case ValueKind::text: return value.empty() ? "must not be empty" : "";
    }
    return "";
}

} // namespace

std::vector<std::string> known_labels()
{
    std::vector<std::string> names;
    for (const auto& label : k_labels) {
        names.emplace_back(label.name);
    }
    return names;
}

std::vector<LabelProblem> check_labels(const docker::Labels& labels)
{
    std::vector<LabelProblem> problems;
    for (const auto& [name, value] : labels) {
        if (!name.starts_with("medic.") || name.starts_with("medic.test") || name.starts_with("medic.e2e") ||
            name.starts_with("medic.helper") || name.starts_with("medic.bench") || name.starts_with("medic.demo")) {
            continue; // medic's own markers (tests, helpers, demos) are not settings
        }
        auto known =
            std::find_if(k_labels.begin(), k_labels.end(), [&](const auto& label) { return label.name == name; });
        if (known == k_labels.end()) {
            problems.push_back(
                {name, fmt::format("unknown label '{}={}' (did you mean '{}'?)", name, value, closest_known(name))});
            continue;
        }
        if (auto complaint = check_value(known->kind, value); !complaint.empty()) {
            problems.push_back({name, fmt::format("label '{}={}': the value {}", name, value, complaint)});
        }
    }
    return problems;
}

bool is_watched(const docker::Labels& labels, WatchMode mode, const std::optional<docker::LabelSelector>& only)
{
    if (only && !only->matches(labels)) {
        return false;
    }
    auto enable = labels.find("medic.enable");
    if (enable == labels.end()) {
        return mode == WatchMode::all;
    }
    if (enable->second == "false") {
        return false;
    }
    return enable->second == "true" || mode == WatchMode::all;
}

} // namespace medic::watch
