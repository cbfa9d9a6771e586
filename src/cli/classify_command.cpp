#include "cli/classify_command.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "classify/classifier.hpp"

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

/// Reads `input` in large blocks: one Vectorscan pass per block names the few lines
/// worth classifying, and only those are classified one by one. A line longer than
/// the classifier's limit is classified on its first part and never held whole.
class StreamClassifier {
public:
    StreamClassifier(classify::Classifier& classifier, const ClassifyOptions& options, Totals& totals, std::string file)
        : m_classifier(classifier), m_options(options), m_totals(totals), m_file(std::move(file))
    {
    }

    void run(std::istream& input)
    {
        constexpr std::size_t k_block = 1U << 20U;
        std::string buffer;
        std::vector<char> chunk(k_block);
        while (input.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || input.gcount() > 0) {
            std::string_view piece(chunk.data(), static_cast<std::size_t>(input.gcount()));
            if (m_skipping) { // the rest of an overlong line
                const auto newline = piece.find('\n');
                if (newline == std::string_view::npos) {
                    continue;
                }
                m_skipping = false;
                piece.remove_prefix(newline + 1);
            }
            buffer.append(piece);
            const auto last_newline = buffer.rfind('\n');
            if (last_newline != std::string::npos) {
                process_block(std::string_view(buffer).substr(0, last_newline + 1));
                buffer.erase(0, last_newline + 1);
            }
            if (buffer.size() > classify::Classifier::k_max_line_length) {
                classify_line(std::string_view(buffer).substr(0, classify::Classifier::k_max_line_length));
                buffer.clear();
                m_skipping = true;
            }
        }
        if (!buffer.empty() && !m_skipping) {
            classify_line(buffer);
        }
    }

private:
    void process_block(std::string_view block)
    {
        m_classifier.candidate_lines(block, m_candidates);
        const std::size_t line_before = m_line;
        std::size_t counted_to = 0;
        for (const auto start : m_candidates) {
            m_line += static_cast<std::size_t>(std::count(block.begin() + static_cast<std::ptrdiff_t>(counted_to),
                                                          block.begin() + static_cast<std::ptrdiff_t>(start), '\n'));
            counted_to = start;
            const auto end = block.find('\n', start);
            report(block.substr(start, end - start), m_line + 1);
        }
        m_line += static_cast<std::size_t>(
            std::count(block.begin() + static_cast<std::ptrdiff_t>(counted_to), block.end(), '\n'));
        m_totals.lines += m_line - line_before;
    }

    void classify_line(std::string_view line)
    {
        ++m_line;
        ++m_totals.lines;
        report(line, m_line);
    }

    void report(std::string_view line, std::size_t line_number)
    {
        auto finding = m_classifier.classify(line);
        if (!finding) {
            return;
        }
        ++m_totals.per_type[std::string(classify::to_string(finding->type))];
        if (!m_options.summary) {
            std::cout << finding_json(*finding, line_number, m_file) << '\n';
        }
    }

    classify::Classifier& m_classifier;
    const ClassifyOptions& m_options;
    Totals& m_totals;
    std::string m_file;
    std::vector<std::size_t> m_candidates;
    std::size_t m_line = 0;
    bool m_skipping = false;
};

void classify_stream(std::istream& input, const std::string& file, classify::Classifier& classifier,
                     const ClassifyOptions& options, Totals& totals)
{
    StreamClassifier(classifier, options, totals, file).run(input);
}

} // namespace

int run_classify(const ClassifyOptions& options)
{
    auto classifier = classify::Classifier::create_embedded();
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
