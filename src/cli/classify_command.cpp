#include "cli/classify_command.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "classify/block_reader.hpp"
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

/// Reads `input` in large pieces and hands `sink` the complete lines of each piece at
/// once (`sink.lines(text)`, newlines included) and a last line without a newline
/// alone (`sink.line(text)`). A line longer than the classifier's limit is handed on
/// its first part and never held whole.
template <typename Sink>
void read_lines(std::istream& input, Sink& sink)
{
    constexpr std::size_t k_piece = 1U << 20U;
    std::string buffer;
    std::vector<char> chunk(k_piece);
    bool skipping = false; // in the rest of an overlong line
    while (input.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || input.gcount() > 0) {
        std::string_view piece(chunk.data(), static_cast<std::size_t>(input.gcount()));
        if (skipping) {
            const auto newline = piece.find('\n');
            if (newline == std::string_view::npos) {
                continue;
            }
            skipping = false;
            piece.remove_prefix(newline + 1);
        }
        buffer.append(piece);
        const auto last_newline = buffer.rfind('\n');
        if (last_newline != std::string::npos) {
            sink.lines(std::string_view(buffer).substr(0, last_newline + 1));
            buffer.erase(0, last_newline + 1);
        }
        if (buffer.size() > classify::Classifier::k_max_line_length) {
            sink.line(std::string_view(buffer).substr(0, classify::Classifier::k_max_line_length));
            buffer.clear();
            skipping = true;
        }
    }
    if (!buffer.empty() && !skipping) {
        sink.line(buffer);
    }
}

/// One JSON object per finding: one Vectorscan pass per piece names the few lines worth
/// classifying, and only those are classified one by one.
class StreamClassifier {
public:
    StreamClassifier(classify::Classifier& classifier, const ClassifyOptions& options, Totals& totals, std::string file)
        : m_classifier(classifier), m_options(options), m_totals(totals), m_file(std::move(file))
    {
    }

    void lines(std::string_view text) { process_block(text); }
    void line(std::string_view text) { classify_line(text); }

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
};

/// --run: the input is one run of a program. Its multi-line blocks (a Redis config error,
/// a traceback, a panic) are read whole, and the run's cause is decided over all of them.
class RunReader {
public:
    explicit RunReader(classify::Classifier& classifier) : m_reader(classifier, std::nullopt) {}

    void lines(std::string_view text)
    {
        std::size_t start = 0;
        while (start < text.size()) {
            auto end = text.find('\n', start);
            if (end == std::string_view::npos) {
                end = text.size();
            }
            line(text.substr(start, end - start));
            start = end + 1;
        }
    }

    void line(std::string_view text)
    {
        ++m_lines;
        keep(m_reader.push(text, 0));
    }

    /// The cause of the run, once every line was read.
    std::optional<classify::BlockFinding> finish()
    {
        keep(m_reader.flush());
        return std::exchange(m_best, std::nullopt);
    }

    [[nodiscard]] std::size_t lines_read() const { return m_lines; }
    [[nodiscard]] std::size_t findings() const { return m_findings; }

private:
    /// Only the best decision so far is kept: a long log costs no memory per finding.
    void keep(std::vector<classify::BlockFinding> decided)
    {
        for (auto& block : decided) {
            ++m_findings;
            std::vector<classify::BlockFinding> rivals;
            if (m_best) {
                rivals.push_back(std::move(*m_best));
            }
            rivals.push_back(std::move(block));
            m_best = classify::decide_run(rivals);
        }
    }

    classify::BlockReader m_reader;
    std::optional<classify::BlockFinding> m_best;
    std::size_t m_lines = 0;
    std::size_t m_findings = 0;
};

std::string run_json(const std::optional<classify::BlockFinding>& decision, const RunReader& reader,
                     const std::string& file)
{
    nlohmann::json object;
    if (!file.empty()) {
        object["file"] = file;
    }
    object["lines"] = reader.lines_read();
    object["findings"] = reader.findings();
    if (!decision) {
        object["type"] = nullptr;
        object["detail"] = "no line names a problem";
    } else {
        const auto& finding = decision->finding;
        const auto evidence = finding.evidence.empty() ? std::vector<std::string>{finding.text} : finding.evidence;
        const auto decided = std::min(finding.decided, evidence.size() - 1);
        object["type"] = classify::to_string(finding.type);
        object["rule"] = finding.source_id();
        object["role"] = classify::to_string(finding.role);
        object["severity"] = classify::to_string(finding.severity);
        object["block"] = classify::to_string(decision->kind);
        object["decided_by"] = evidence[decided];
        object["context"] = finding.context;
        object["evidence"] = evidence;
    }
    return object.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool classify_run(std::istream& input, const std::string& file, classify::Classifier& classifier)
{
    RunReader reader(classifier);
    read_lines(input, reader);
    const auto decision = reader.finish();
    std::cout << run_json(decision, reader, file) << '\n';
    return decision.has_value();
}

/// One input: false when --run found no cause in it.
bool classify_stream(std::istream& input, const std::string& file, classify::Classifier& classifier,
                     const ClassifyOptions& options, Totals& totals)
{
    if (options.run) {
        return classify_run(input, file, classifier);
    }
    StreamClassifier sink(classifier, options, totals, file);
    read_lines(input, sink);
    return true;
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
    bool every_run_decided = true;
    if (options.files.empty()) {
        every_run_decided = classify_stream(std::cin, "", *classifier, options, totals);
    }
    for (const auto& file : options.files) {
        if (file == "-") {
            every_run_decided = classify_stream(std::cin, "", *classifier, options, totals) && every_run_decided;
            continue;
        }
        std::ifstream input(file, std::ios::binary);
        if (!input) {
            std::cerr << "medic classify: cannot read '" << file << "'\n";
            exit_code = 2;
            continue;
        }
        every_run_decided = classify_stream(input, file, *classifier, options, totals) && every_run_decided;
    }
    if (exit_code == 0 && !every_run_decided) {
        exit_code = 1;
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
