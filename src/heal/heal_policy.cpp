#include "heal/heal_policy.hpp"

#include <charconv>

#include <fmt/format.h>

namespace medic::heal {

std::vector<std::string> split_list(std::string_view text)
{
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            items.emplace_back(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return items;
}

ContainerPolicy policy_from_labels(const docker::Labels& labels, const HostPolicy& host)
{
    ContainerPolicy policy;
    auto label = [&](std::string_view name) -> std::optional<std::string> {
        auto found = labels.find(std::string(name));
        return found == labels.end() ? std::nullopt : std::optional<std::string>(found->second);
    };
    policy.dry_run = host.dry_run || label("medic.dry-run") == "true";
    if (auto allow = label("medic.actions.allow")) {
        auto names = split_list(*allow);
        policy.allow = std::set<std::string>(names.begin(), names.end());
    }
    if (auto deny = label("medic.actions.deny")) {
        auto names = split_list(*deny);
        policy.deny.insert(names.begin(), names.end());
    }
    if (auto attempts = label("medic.max-attempts")) {
        int value = 0;
        auto [end, error] = std::from_chars(attempts->data(), attempts->data() + attempts->size(), value);
        if (error == std::errc{} && end == attempts->data() + attempts->size() && value > 0) {
            policy.max_attempts = value;
        }
    }
    if (auto priority = label("medic.priority")) {
        policy.priority = *priority == "low" ? Priority::low : *priority == "high" ? Priority::high : Priority::normal;
    }
    if (auto depends = label("medic.depends-on")) {
        policy.depends_on = split_list(*depends);
    }
    return policy;
}

Permission permits(const ContainerPolicy& policy, const HostPolicy& host, std::string_view action, Safety safety)
{
    const std::string name(action);
    if (policy.deny.contains(name)) {
        return Permission::denied_by_label;
    }
    const bool listed = policy.allow && policy.allow->contains(name);
    if (policy.allow && !listed) {
        return Permission::not_in_allow_list;
    }
    if (safety == Safety::destructive && !host.allow_destructive && !listed) {
        return Permission::class_disabled;
    }
    if (safety == Safety::host && !host.allow_host && !listed) {
        return Permission::class_disabled;
    }
    return Permission::allowed;
}

std::string explain(Permission permission, std::string_view action, Safety safety)
{
    switch (permission) {
    case Permission::allowed: return "";
    case Permission::denied_by_label: return fmt::format("{} is denied by the label medic.actions.deny", action);
    case Permission::not_in_allow_list: return fmt::format("{} is not in the label medic.actions.allow", action);
    case Permission::class_disabled:
        return fmt::format("{} is a {} action, off unless enabled (config allow_{}: true, or the label "
                           "medic.actions.allow={})",
                           action, to_string(safety), to_string(safety), action);
    }
    return "";
}

} // namespace medic::heal
