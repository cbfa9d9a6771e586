#include "classify/rule_catalog.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace medic::classify {
namespace {

constexpr std::string_view k_rule_keys[] = {"id",       "type",        "severity", "channels", "healable", "role",
                                            "priority", "description", "patterns", "context",  "samples"};

struct Place {
    const std::string& file;
    std::string where(const YAML::Node& node) const { return fmt::format("{}:{}", file, node.Mark().line + 1); }
};

Error invalid(std::string message)
{
    return Error{ErrorKind::invalid_argument, 0, std::move(message)};
}

Result<std::string> read_string(const YAML::Node& node, std::string_view key, const Place& place, bool required = true)
{
    const auto value = node[std::string(key)];
    if (!value) {
        if (required) {
            return tl::unexpected(invalid(fmt::format("{}: rule has no '{}'", place.where(node), key)));
        }
        return std::string();
    }
    if (!value.IsScalar()) {
        return tl::unexpected(invalid(fmt::format("{}: '{}' must be a single value", place.where(value), key)));
    }
    return value.as<std::string>();
}

Result<Context> read_context(const YAML::Node& node, const Place& place)
{
    Context context;
    if (!node) {
        return context;
    }
    if (!node.IsMap()) {
        return tl::unexpected(invalid(fmt::format("{}: context must be a mapping of name: value", place.where(node))));
    }
    for (const auto& entry : node) {
        context[entry.first.as<std::string>()] = entry.second.as<std::string>();
    }
    return context;
}

Result<void> read_samples(const YAML::Node& node, Rule& rule, const Place& place)
{
    if (!node || !node.IsMap()) {
        return tl::unexpected(
            invalid(fmt::format("{}: rule '{}' needs samples with match and near_miss lines", rule.source, rule.id)));
    }
    for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        if (key != "match" && key != "near_miss") {
            return tl::unexpected(invalid(
                fmt::format("{}: unknown samples key '{}' (known: match, near_miss)", place.where(entry.first), key)));
        }
        if (!entry.second.IsSequence()) {
            return tl::unexpected(
                invalid(fmt::format("{}: samples.{} must be a list", place.where(entry.second), key)));
        }
        for (const auto& sample : entry.second) {
            if (key == "near_miss") {
                rule.near_miss_samples.push_back(sample.as<std::string>());
                continue;
            }
            RuleSample parsed;
            if (sample.IsScalar()) {
                parsed.text = sample.as<std::string>();
            } else {
                auto text = read_string(sample, "text", place);
                if (!text) {
                    return tl::unexpected(text.error());
                }
                parsed.text = *text;
                auto context = read_context(sample["context"], place);
                if (!context) {
                    return tl::unexpected(context.error());
                }
                parsed.context = *context;
            }
            rule.match_samples.push_back(std::move(parsed));
        }
    }
    if (rule.match_samples.empty() || rule.near_miss_samples.empty()) {
        return tl::unexpected(invalid(
            fmt::format("{}: rule '{}' needs at least one match and one near_miss sample", rule.source, rule.id)));
    }
    return {};
}

Result<RuleRole> read_rule_role(const YAML::Node& node, const Place& place)
{
    const auto value = node["role"];
    if (!value) {
        return RuleRole::cause;
    }
    auto role = value.IsScalar() ? parse_rule_role(value.as<std::string>()) : std::nullopt;
    if (!role) {
        return tl::unexpected(
            invalid(fmt::format("{}: role must be one of cause, symptom, header, context", place.where(value))));
    }
    return *role;
}

Result<Rule> read_rule(const YAML::Node& node, const Place& place)
{
    if (!node.IsMap()) {
        return tl::unexpected(invalid(fmt::format("{}: a rule must be a mapping", place.where(node))));
    }
    for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        if (std::find(std::begin(k_rule_keys), std::end(k_rule_keys), key) == std::end(k_rule_keys)) {
            return tl::unexpected(invalid(fmt::format("{}: unknown rule key '{}' (known: id, type, severity, channels, "
                                                      "healable, role, priority, description, patterns, context, "
                                                      "samples)",
                                                      place.where(entry.first), key)));
        }
    }
    Rule rule;
    rule.source = place.where(node);
    auto role = read_rule_role(node, place);
    if (!role) {
        return tl::unexpected(role.error());
    }
    rule.role = *role;
    // A context line never decides: its type and severity are not needed.
    const bool decides = rule.role != RuleRole::context;
    auto id = read_string(node, "id", place);
    auto type = decides || node["type"] ? read_string(node, "type", place) : Result<std::string>("CONFIG_ERROR");
    auto severity = decides || node["severity"] ? read_string(node, "severity", place) : Result<std::string>("info");
    auto description = read_string(node, "description", place, false);
    for (const auto* field : {&id, &type, &severity, &description}) {
        if (!*field) {
            return tl::unexpected(field->error());
        }
    }
    rule.id = *id;
    rule.description = *description;
    auto parsed_type = parse_error_type(*type);
    if (!parsed_type || *parsed_type == ErrorType::crash_loop) {
        return tl::unexpected(invalid(fmt::format("{}: rule '{}': '{}' is not an error type a rule can name",
                                                  place.where(node["type"]), rule.id, *type)));
    }
    rule.type = *parsed_type;
    auto parsed_severity = parse_severity(*severity);
    if (!parsed_severity) {
        return tl::unexpected(invalid(fmt::format("{}: rule '{}': severity '{}' (use info, warning, error or critical)",
                                                  place.where(node["severity"]), rule.id, *severity)));
    }
    rule.severity = *parsed_severity;
    const auto channels = node["channels"];
    if (!channels || !channels.IsSequence() || channels.size() == 0) {
        return tl::unexpected(
            invalid(fmt::format("{}: rule '{}' needs channels: [log, daemon, inspect, event, probe, examination]",
                                place.where(node), rule.id)));
    }
    for (const auto& channel : channels) {
        auto parsed = parse_channel(channel.as<std::string>());
        if (!parsed) {
            return tl::unexpected(invalid(fmt::format("{}: rule '{}': unknown channel '{}'", place.where(channel),
                                                      rule.id, channel.as<std::string>())));
        }
        rule.channels.set(static_cast<std::size_t>(*parsed));
    }
    try {
        rule.healable = node["healable"] ? node["healable"].as<bool>() : false;
        rule.priority = node["priority"] ? node["priority"].as<int>() : 0;
    } catch (const YAML::Exception&) {
        return tl::unexpected(invalid(fmt::format(
            "{}: rule '{}': healable must be true/false and priority a whole number", place.where(node), rule.id)));
    }
    const auto patterns = node["patterns"];
    if (!patterns || !patterns.IsSequence() || patterns.size() == 0) {
        return tl::unexpected(invalid(fmt::format("{}: rule '{}' has no patterns", place.where(node), rule.id)));
    }
    for (const auto& pattern : patterns) {
        rule.patterns.push_back(pattern.as<std::string>());
    }
    auto context = read_context(node["context"], place);
    if (!context) {
        return tl::unexpected(context.error());
    }
    rule.fixed_context = *context;
    if (auto samples = read_samples(node["samples"], rule, place); !samples) {
        return tl::unexpected(samples.error());
    }
    return rule;
}

} // namespace

Result<RuleCatalog> RuleCatalog::load(const std::vector<RuleSource>& sources)
{
    RuleCatalog catalog;
    std::set<std::string> ids;
    for (const auto& source : sources) {
        const Place place{source.name};
        YAML::Node root;
        try {
            root = YAML::Load(source.text);
        } catch (const YAML::Exception& error) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}:{}: {}", source.name, error.mark.line + 1, error.msg));
        }
        if (!root.IsMap() || !root["rules"] || !root["rules"].IsSequence() || root.size() != 1) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}: a rule file is a mapping with one key, 'rules', holding a list", source.name));
        }
        try {
            for (const auto& node : root["rules"]) {
                auto rule = read_rule(node, place);
                if (!rule) {
                    return tl::unexpected(rule.error());
                }
                if (!ids.insert(rule->id).second) {
                    return fail(ErrorKind::invalid_argument,
                                fmt::format("{}: duplicate rule id '{}'", rule->source, rule->id));
                }
                catalog.m_rules.push_back(std::move(*rule));
            }
        } catch (const YAML::Exception& error) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("{}:{}: {}", source.name, error.mark.line + 1, error.msg));
        }
    }
    return catalog;
}

Result<RuleCatalog> RuleCatalog::load_embedded()
{
    return load(embedded_rule_sources());
}

} // namespace medic::classify
