#include "cli/classify_command.hpp"

#include <array>
#include <fstream>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "classify/classifier.hpp"
#include "docker/line_splitter.hpp"

namespace medic::cli {
namespace {

struct Totals {
    std::size_t lines = 0;
    std::map<std::string, std::size_t> per_type;
};

std::string finding_json(const classify::Finding& finding, std::size_t line_number, const std::string& file)
{
    nlohmann::json object;
    if (!file.empty()) {
        object["file"] = file;
    }
    object["line"] = line_number;
    object["type"] = classify::to_string(finding.type);
    object["rule"] = finding.rule != nullptr ? finding.rule->id : "";
    object["severity"] = classify::to_string(finding.severity);
    object["context"] = finding.context;
    object["text"] = finding.text;
    // Log lines are bytes: invalid UTF-8 is replaced rather than refused.
    return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void classify_stream(std::istream& input, const std::string& file, classify::Classifier& classifier,
                     const ClassifyOptions& options, Totals& totals)
{
    // Lines are cut at the classifier's limit: a 10 MB line is classified on its
    // first part and never held whole.
    docker::LineSplitter splitter(classify::Classifier::k_max_line_length);
    std::size_t line_number = 0;
    auto on_line = [&](std::string_view line, bool) {
        ++line_number;
        ++totals.lines;
        auto finding = classifier.classify(line);
        if (!finding) {
            return;
        }
        ++totals.per_type[std::string(classify::to_string(finding->type))];
        if (!options.summary) {
            std::cout << finding_json(*finding, line_number, file) << '\n';
        }
    };
    std::array<char, 64 * 1024> buffer{};
    while (input.read(buffer.data(), buffer.size()) || input.gcount() > 0) {
        splitter.feed(std::string_view(buffer.data(), static_cast<std::size_t>(input.gcount())), on_line);
    }
    splitter.flush(on_line);
}

} // namespace

int run_classify(const ClassifyOptions& options)
{
    auto catalog = classify::RuleCatalog::load_embedded();
    if (!catalog) {
        std::cerr << "medic classify: " << catalog.error().message << "\n";
        return 2;
    }
    auto classifier = classify::Classifier::create(std::move(*catalog));
    if (!classifier) {
        std::cerr << "medic classify: " << classifier.error().message << "\n";
        return 2;
    }
    Totals totals;
    int exit_code = 0;
    std::ios::sync_with_stdio(false);
    if (options.files.empty()) {
        classify_stream(std::cin, "", *classifier, options, totals);
    }
    for (const auto& file : options.files) {
        if (file == "-") {
            classify_stream(std::cin, "", *classifier, options, totals);
            continue;
        }
        std::ifstream input(file, std::ios::binary);
        if (!input) {
            std::cerr << "medic classify: cannot read '" << file << "'\n";
            exit_code = 2;
            continue;
        }
        classify_stream(input, file, *classifier, options, totals);
    }
    if (options.summary) {
        std::vector<std::pair<std::string, std::size_t>> counts(totals.per_type.begin(), totals.per_type.end());
        std::sort(counts.begin(), counts.end(),
                  [](const auto& left, const auto& right) { return left.second > right.second; });
        std::size_t findings = 0;
        for (const auto& [type, count] : counts) {
            std::cout << fmt::format("{:<24} {}\n", type, count);
            findings += count;
        }
        std::cout << fmt::format("{} findings in {} lines\n", findings, totals.lines);
    }
    std::cout.flush();
    return exit_code;
}

} // namespace medic::cli
