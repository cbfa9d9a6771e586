#include "cli/api_commands.hpp"

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/query.hpp"

namespace medic::cli {

int run_logs(const LogsOptions& options)
{
    if (!api::is_valid_container_name(options.container)) {
        std::cerr << fmt::format("medic logs: '{}' is not a container name\n", options.container);
        return 2;
    }
    auto client = ApiClient::connect(options.api);
    if (!client) {
        std::cerr << "medic logs: " << client.error().message << "\n";
        return 2;
    }
    int exit_code = 0;
    const auto target = fmt::format("/api/docker/logs/{}/stream?tail={}", options.container, options.tail);
    auto streamed = client->stream(target, [&](std::string_view event, std::string_view data) {
        if (event == "live") {
            return options.follow;
        }
        const auto parsed = nlohmann::json::parse(data, nullptr, false);
        if (!parsed.is_object()) {
            return true;
        }
        if (event == "error") {
            std::cerr << "medic logs: " << parsed.value("error", "the stream failed") << "\n";
            exit_code = 1;
            return false;
        }
        if (event == "end") {
            return false;
        }
        if (event != "line") {
            return true;
        }
        auto& out = parsed.value("stream", "stdout") == "stderr" ? std::cerr : std::cout;
        if (options.types && parsed.contains("type")) {
            out << "[" << parsed["type"].get<std::string>() << "] ";
        }
        out << parsed.value("text", "") << "\n";
        out.flush();
        return true;
    });
    if (!streamed) {
        std::cerr << "medic logs: " << client->explain(streamed.error()) << "\n";
        return 2;
    }
    return exit_code;
}

namespace {

std::string rate(const nlohmann::json& outcomes)
{
    if (!outcomes.contains("success_rate") || outcomes["success_rate"].is_null()) {
        return "-";
    }
    return fmt::format("{:.0f}%", outcomes["success_rate"].get<double>() * 100);
}

void print_counts(const char* title, const nlohmann::json& counts)
{
    std::vector<std::pair<std::int64_t, std::string>> sorted;
    for (const auto& [key, value] : counts.items()) {
        sorted.emplace_back(value.get<std::int64_t>(), key);
    }
    std::sort(sorted.rbegin(), sorted.rend());
    std::cout << title << "\n";
    if (sorted.empty()) {
        std::cout << "  (none)\n";
    }
    for (const auto& [count, key] : sorted) {
        std::cout << fmt::format("  {:<40} {:>8}\n", key, count);
    }
}

} // namespace

int run_stats(const StatsOptions& options)
{
    auto client = ApiClient::connect(options.api);
    if (!client) {
        std::cerr << "medic stats: " << client.error().message << "\n";
        return 2;
    }
    auto errors = client->get("/api/docker/errors/stats");
    auto recovery = errors ? client->get("/api/docker/recovery/stats") : errors;
    if (!errors || !recovery) {
        std::cerr << "medic stats: " << client->explain(!errors ? errors.error() : recovery.error()) << "\n";
        return 2;
    }
    const auto error_stats = nlohmann::json::parse(*errors, nullptr, false);
    const auto recovery_stats = nlohmann::json::parse(*recovery, nullptr, false);
    if (!error_stats.is_object() || !recovery_stats.is_object()) {
        std::cerr << "medic stats: the API answered something that is not JSON\n";
        return 2;
    }
    if (options.json) {
        std::cout << nlohmann::json{{"errors", error_stats}, {"recovery", recovery_stats}}.dump(2) << "\n";
        return 0;
    }
    std::cout << fmt::format("findings: {} in {} incidents; last 24 h: {} (the 24 h before: {}); mean time to "
                             "detect: {:.0f} ms\n",
                             error_stats.value("total_findings", 0), error_stats.value("total_incidents", 0),
                             error_stats["trend"].value("last_24h", 0), error_stats["trend"].value("previous_24h", 0),
                             error_stats.value("mean_time_to_detect_ms", 0.0));
    const auto& recover = recovery_stats["mean_time_to_recover_ms"];
    std::cout << fmt::format(
        "recovery actions: {} finished, {} succeeded ({}); mean time to recover: {}\n\n",
        recovery_stats.value("total", 0), recovery_stats.value("succeeded", 0), rate(recovery_stats),
        recover.is_null() ? std::string("-") : fmt::format("{:.1f} s", recover.get<double>() / 1000.0));
    print_counts("findings by type:", error_stats["by_type"]);
    print_counts("findings by container:", error_stats["by_container"]);
    std::cout << "recovery by action:\n";
    if (recovery_stats["by_action"].empty()) {
        std::cout << "  (none)\n";
    }
    for (const auto& [action, outcomes] : recovery_stats["by_action"].items()) {
        std::cout << fmt::format("  {:<32} {:>5} run, {:>5} succeeded, {:>5} failed  {:>5}\n", action,
                                 outcomes.value("total", 0), outcomes.value("succeeded", 0),
                                 outcomes.value("failed", 0), rate(outcomes));
    }
    std::cout << "recovery by error type:\n";
    if (recovery_stats["by_type"].empty()) {
        std::cout << "  (none)\n";
    }
    for (const auto& [type, outcomes] : recovery_stats["by_type"].items()) {
        std::cout << fmt::format("  {:<32} {:>5} run, {:>5} succeeded  {:>5}\n", type, outcomes.value("total", 0),
                                 outcomes.value("succeeded", 0), rate(outcomes));
    }
    return 0;
}

} // namespace medic::cli
