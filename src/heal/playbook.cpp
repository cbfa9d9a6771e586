#include "heal/playbook.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <span>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "heal/action_registry.hpp"

namespace medic::heal {
namespace {

constexpr std::array<std::string_view, 8> k_playbook_keys{"type",   "profile", "rules",  "attempts",
                                                          "verify", "steps",   "advice", "when_running"};
constexpr std::array<std::string_view, 3> k_step_keys{"action", "tries", "delay"};

Error invalid(std::string message)
{
    return Error{ErrorKind::invalid_argument, 0, std::move(message)};
}

std::string where(const std::string& file, const YAML::Node& node)
{
    return fmt::format("{}:{}", file, node.Mark().line + 1);
}

Result<int> read_number(const YAML::Node& node, const std::string& place, std::string_view key, int low, int high)
{
    const auto text = node.as<std::string>();
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < low || value > high) {
        return tl::unexpected(
            invalid(fmt::format("{}: {} must be a whole number from {} to {}, not '{}'", place, key, low, high, text)));
    }
    return value;
}

/// "1s", "500ms", "10s".
Result<std::chrono::milliseconds> read_delay(const YAML::Node& node, const std::string& place)
{
    auto text = node.as<std::string>();
    int scale = 1000;
    if (text.ends_with("ms")) {
        scale = 1;
        text.resize(text.size() - 2);
    } else if (text.ends_with("s")) {
        text.pop_back();
    } else {
        return tl::unexpected(invalid(fmt::format("{}: delay must be like 2s or 500ms, not '{}'", place, text)));
    }
    auto value = read_number(YAML::Node(text), place, "delay", 0, 600'000);
    if (!value) {
        return tl::unexpected(value.error());
    }
    const std::chrono::milliseconds delay(static_cast<std::int64_t>(*value) * scale);
    if (delay > std::chrono::seconds(10)) {
        return tl::unexpected(invalid(fmt::format("{}: delay is at most 10s", place)));
    }
    return delay;
}

Result<void> check_keys(const YAML::Node& node, std::span<const std::string_view> known, const std::string& file,
                        std::string_view what)
{
    for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            return tl::unexpected(invalid(fmt::format("{}: unknown {} key '{}' (known: {})", where(file, entry.first),
                                                      what, key, fmt::join(known, ", "))));
        }
    }
    return {};
}

Result<PlaybookStep> read_step(const YAML::Node& node, const std::string& file)
{
    if (!node.IsMap()) {
        return tl::unexpected(
            invalid(fmt::format("{}: a step is a mapping with action, tries, delay", where(file, node))));
    }
    if (auto keys = check_keys(node, k_step_keys, file, "step"); !keys) {
        return tl::unexpected(keys.error());
    }
    if (!node["action"]) {
        return tl::unexpected(invalid(fmt::format("{}: step has no action", where(file, node))));
    }
    PlaybookStep step;
    const auto name = node["action"].as<std::string>();
    step.action = find_action(name);
    if (step.action == nullptr) {
        return tl::unexpected(invalid(fmt::format("{}: unknown action '{}' (known: {})", where(file, node["action"]),
                                                  name, known_action_names())));
    }
    if (node["tries"]) {
        auto tries = read_number(node["tries"], where(file, node["tries"]), "tries", 1, 6);
        if (!tries) {
            return tl::unexpected(tries.error());
        }
        step.tries = *tries;
    }
    if (node["delay"]) {
        auto delay = read_delay(node["delay"], where(file, node["delay"]));
        if (!delay) {
            return tl::unexpected(delay.error());
        }
        step.delay = *delay;
    }
    return step;
}

Result<Playbook> read_playbook(const YAML::Node& node, const std::string& file)
{
    if (!node.IsMap()) {
        return tl::unexpected(invalid(fmt::format("{}: a playbook is a mapping", where(file, node))));
    }
    if (auto keys = check_keys(node, k_playbook_keys, file, "playbook"); !keys) {
        return tl::unexpected(keys.error());
    }
    Playbook playbook;
    playbook.source = where(file, node);
    if (!node["type"]) {
        return tl::unexpected(invalid(fmt::format("{}: playbook has no type", playbook.source)));
    }
    const auto type = node["type"].as<std::string>();
    auto parsed = classify::parse_error_type(type);
    if (!parsed) {
        return tl::unexpected(invalid(fmt::format("{}: unknown error type '{}'", where(file, node["type"]), type)));
    }
    playbook.type = *parsed;
    if (node["profile"]) {
        const auto name = node["profile"].as<std::string>();
        playbook.profile = parse_profile(name);
        if (!playbook.profile) {
            return tl::unexpected(invalid(fmt::format("{}: unknown profile '{}' (known: generic, redis, postgres, "
                                                      "sysreptor)",
                                                      where(file, node["profile"]), name)));
        }
    }
    if (node["rules"]) {
        for (const auto& rule : node["rules"]) {
            playbook.rules.insert(rule.as<std::string>());
        }
    }
    if (node["attempts"]) {
        auto attempts = read_number(node["attempts"], where(file, node["attempts"]), "attempts", 1, 10);
        if (!attempts) {
            return tl::unexpected(attempts.error());
        }
        playbook.attempts = *attempts;
    }
    if (node["verify"]) {
        const auto verify = node["verify"].as<std::string>();
        if (verify != "service" && verify != "action") {
            return tl::unexpected(invalid(
                fmt::format("{}: verify must be service or action, not '{}'", where(file, node["verify"]), verify)));
        }
        playbook.verify = verify == "service" ? Verification::service : Verification::action;
    }
    if (node["when_running"]) {
        const auto when = node["when_running"].as<std::string>();
        if (when != "wait" && when != "heal") {
            return tl::unexpected(invalid(fmt::format("{}: when_running must be wait or heal, not '{}'",
                                                      where(file, node["when_running"]), when)));
        }
        playbook.when_running = when == "heal" ? WhenRunning::heal : WhenRunning::wait;
    }
    if (node["steps"]) {
        if (!node["steps"].IsSequence()) {
            return tl::unexpected(invalid(fmt::format("{}: steps must be a list", where(file, node["steps"]))));
        }
        for (const auto& entry : node["steps"]) {
            auto step = read_step(entry, file);
            if (!step) {
                return tl::unexpected(step.error());
            }
            playbook.steps.push_back(*step);
        }
    }
    playbook.advice = node["advice"] ? node["advice"].as<std::string>() : "";
    if (playbook.advice.empty()) {
        return tl::unexpected(invalid(fmt::format("{}: playbook has no advice for a person", playbook.source)));
    }
    return playbook;
}

} // namespace

Result<PlaybookCatalog> PlaybookCatalog::load(const std::vector<classify::RuleSource>& sources)
{
    PlaybookCatalog catalog;
    for (const auto& source : sources) {
        YAML::Node root;
        try {
            root = YAML::Load(source.text);
        } catch (const YAML::Exception& error) {
            return tl::unexpected(invalid(fmt::format("{}:{}: {}", source.name, error.mark.line + 1, error.msg)));
        }
        if (!root.IsMap() || !root["playbooks"] || !root["playbooks"].IsSequence()) {
            return tl::unexpected(invalid(fmt::format("{}: expected 'playbooks:' with a list", source.name)));
        }
        try {
            for (const auto& node : root["playbooks"]) {
                auto playbook = read_playbook(node, source.name);
                if (!playbook) {
                    return tl::unexpected(playbook.error());
                }
                catalog.m_playbooks.push_back(std::move(*playbook));
            }
        } catch (const YAML::Exception& error) {
            return tl::unexpected(invalid(fmt::format("{}:{}: {}", source.name, error.mark.line + 1, error.msg)));
        }
    }
    return catalog;
}

Result<PlaybookCatalog> PlaybookCatalog::load_embedded()
{
    return load(embedded_playbook_sources());
}

const Playbook* PlaybookCatalog::find(classify::ErrorType type, Profile profile, const std::string& rule) const
{
    const Playbook* best = nullptr;
    int best_score = -1;
    for (const auto& playbook : m_playbooks) {
        if (playbook.type != type || (playbook.profile && *playbook.profile != profile) ||
            (!playbook.rules.empty() && !playbook.rules.contains(rule))) {
            continue;
        }
        const int score = (playbook.rules.empty() ? 0 : 2) + (playbook.profile ? 1 : 0);
        if (score > best_score) {
            best = &playbook;
            best_score = score;
        }
    }
    return best;
}

} // namespace medic::heal
