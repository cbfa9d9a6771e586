// The error catalog against its own samples and against real messages users pasted
// (tests/data/errors.jsonl, copied from the shared corpus).

#include <fstream>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "classify/classifier.hpp"
#include "unit/embedded_classifier.hpp"

namespace medic::classify {
namespace {

std::vector<std::string> split_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

TEST(Catalog, EveryRuleMatchesItsSamplesAndNotItsNearMisses)
{
    auto& classifier = embedded();
    ASSERT_FALSE(classifier.catalog().rules().empty());
    for (const auto& rule : classifier.catalog().rules()) {
        for (const auto& sample : rule.match_samples) {
            // Samples are checked on the rule's first channel, as the watchers would feed them.
            std::optional<Channel> channel;
            for (std::size_t index = 0; index < k_channel_count; ++index) {
                if (rule.channels.test(index)) {
                    channel = static_cast<Channel>(index);
                    break;
                }
            }
            if (rule.role == RuleRole::context) {
                // A context rule never decides: its values come with the line's reading.
                auto reading = classifier.read_line(sample.text, channel);
                for (const auto& [name, value] : sample.context) {
                    EXPECT_EQ(reading.context[name], value)
                        << rule.id << ": context '" << name << "' of: " << sample.text;
                }
                EXPECT_FALSE(sample.context.empty()) << rule.id << ": a context rule's sample names its values";
                continue;
            }
            auto finding = classifier.classify(sample.text, channel);
            ASSERT_TRUE(finding) << rule.source << " " << rule.id << ": no finding for sample: " << sample.text;
            EXPECT_EQ(finding->rule->id, rule.id) << rule.source << ": sample won by another rule: " << sample.text;
            for (const auto& [name, value] : sample.context) {
                EXPECT_EQ(finding->context[name], value) << rule.id << ": context '" << name << "' of: " << sample.text;
            }
        }
        for (const auto& near_miss : rule.near_miss_samples) {
            if (rule.role == RuleRole::context) {
                const auto reading = classifier.read_line(near_miss);
                EXPECT_TRUE(reading.context.empty() || !rule.fixed_context.empty())
                    << rule.id << ": matched its near miss: " << near_miss;
                continue;
            }
            auto finding = classifier.classify(near_miss);
            EXPECT_TRUE(!finding || finding->rule->id != rule.id)
                << rule.source << " " << rule.id << ": matched its near miss: " << near_miss;
        }
    }
}

struct Record {
    std::string id;
    std::string type;
    std::string channel;
    std::string text;
    std::map<std::string, std::string> expect;
    std::vector<std::string> also;
};

std::vector<Record> corpus()
{
    std::ifstream file(std::string(MEDIC_SOURCE_DIR) + "/tests/data/errors.jsonl");
    std::vector<Record> records;
    std::string line;
    while (std::getline(file, line)) {
        auto json = nlohmann::json::parse(line);
        Record record{json["id"], json["type"], json["channel"], json["text"], {}, {}};
        const auto expect = json.value("expect", nlohmann::json::object()); // items() must not outlive it
        for (const auto& [key, value] : expect.items()) {
            record.expect[key] = value.get<std::string>();
        }
        for (const auto& type : json.value("also", nlohmann::json::array())) {
            record.also.push_back(type.get<std::string>());
        }
        records.push_back(std::move(record));
    }
    return records;
}

TEST(Catalog, ClassifiesRealMessagesFromTheCorpus)
{
    auto& classifier = embedded();
    auto records = corpus();
    ASSERT_GE(records.size(), 100U);
    std::size_t correct = 0;
    std::size_t context_expected = 0;
    std::size_t context_extracted = 0;
    for (const auto& record : records) {
        // "cli" text quotes the daemon and the containers alike: any channel.
        const std::optional<Channel> channel = record.channel == "cli" ? std::nullopt : parse_channel(record.channel);
        std::vector<Finding> findings;
        for (const auto& line : split_lines(record.text)) {
            if (auto finding = classifier.classify(line, channel)) {
                findings.push_back(std::move(*finding));
            }
        }
        if (record.type == "NONE") {
            EXPECT_TRUE(findings.empty())
                << record.id << " must produce no finding, got " << to_string(findings[0].type) << " from rule "
                << findings[0].rule->id << " on: " << findings[0].text;
            correct += findings.empty() ? 1 : 0;
            continue;
        }
        const Finding* match = nullptr;
        for (const auto& finding : findings) {
            const auto type = std::string(to_string(finding.type));
            if (type == record.type || std::find(record.also.begin(), record.also.end(), type) != record.also.end()) {
                match = &finding;
                break;
            }
        }
        EXPECT_TRUE(match) << record.id << " expected " << record.type << " in: " << record.text;
        if (match == nullptr) {
            continue;
        }
        ++correct;
        for (const auto& [name, value] : record.expect) {
            ++context_expected;
            bool found = false;
            for (const auto& finding : findings) { // any finding of the record may carry it
                auto entry = finding.context.find(name);
                found = found || (entry != finding.context.end() && entry->second == value);
            }
            context_extracted += found ? 1 : 0;
            if (!found) {
                std::cout << record.id << ": context " << name << "=" << value << " not extracted\n";
            }
        }
    }
    std::cout << fmt::format("[ measure  ] corpus: {}/{} records classified, {}/{} context values extracted\n", correct,
                             records.size(), context_extracted, context_expected);
    // A few expected values stand only on lines that are no error themselves (a shell
    // prompt, a trace line); the rest must be extracted.
    EXPECT_GE(context_extracted * 100, context_expected * 95);
}

RuleCatalog catalog_of(std::string_view yaml)
{
    auto catalog = RuleCatalog::load({{"rules/test.yaml", std::string(yaml)}});
    EXPECT_TRUE(catalog) << catalog.error().message;
    return catalog ? std::move(*catalog) : RuleCatalog{};
}

constexpr std::string_view k_two_rules = R"(rules:
  - id: generic-denied
    type: PERMISSION_DENIED
    severity: error
    channels: [log]
    patterns: ["(?i)permission denied"]
    samples: {match: ["x: Permission denied"], near_miss: ["permission granted"]}
  - id: aof-dir
    type: PERMISSION_DENIED
    severity: critical
    channels: [log]
    healable: true
    priority: 10
    patterns: ["Can't open or create append-only dir (?P<path>[^:]+): Permission denied"]
    context: {resource: disk}
    samples: {match: ["Can't open or create append-only dir appendonlydir: Permission denied"], near_miss: ["ok"]}
)";

TEST(Classifier, HighestPriorityWinsAndContextIsExtracted)
{
    auto classifier = Classifier::create(catalog_of(k_two_rules));
    ASSERT_TRUE(classifier) << classifier.error().message;
    auto finding =
        classifier->classify("1:M 01 Jan # Can't open or create append-only dir appendonlydir: Permission denied");
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->rule->id, "aof-dir");
    EXPECT_EQ(finding->context["path"], "appendonlydir");
    EXPECT_EQ(finding->context["resource"], "disk");
    EXPECT_TRUE(finding->healable);
    EXPECT_EQ(classifier->classify("cat: PERMISSION DENIED")->rule->id, "generic-denied");
    EXPECT_FALSE(classifier->classify("all good"));
    EXPECT_FALSE(classifier->classify("x: Permission denied", Channel::daemon)) << "the rules are for logs only";
}

TEST(Classifier, StripsColourCodesAndCarriageReturns)
{
    auto classifier = Classifier::create(catalog_of(k_two_rules));
    ASSERT_TRUE(classifier);
    auto finding =
        classifier->classify("\x1b[31mCan't open or create append-only dir \x1b[1;33mdata\x1b[0m: Permission denied\r");
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->context["path"], "data");
    EXPECT_EQ(finding->text, "Can't open or create append-only dir data: Permission denied");
}

TEST(Classifier, HugeLinesAreClassifiedOnTheirFirstPartAndBinaryNeverCrashes)
{
    auto classifier = Classifier::create(catalog_of(k_two_rules));
    ASSERT_TRUE(classifier);
    std::string huge = "open /data/x: permission denied " + std::string(10U << 20U, 'a');
    auto finding = classifier->classify(huge);
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->text.size(), Classifier::k_max_line_length);
    std::string hidden_late(Classifier::k_max_line_length + 10, 'b');
    EXPECT_FALSE(classifier->classify(hidden_late + " permission denied"));

    std::mt19937 random(3);
    for (int round = 0; round < 500; ++round) {
        std::string garbage(static_cast<std::size_t>(random() % 2000), '\0');
        for (auto& byte : garbage) {
            byte = static_cast<char>(random());
        }
        (void)embedded().classify(garbage);
    }
}

TEST(Catalog, BadRuleFilesAreRefusedWithFileAndLine)
{
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"rules:\n  - id: x\n    typo: 1\n", "rules/bad.yaml:3: unknown rule key 'typo'"},
        {"rules:\n  - id: x\n    type: NOPE\n    severity: error\n    channels: [log]\n",
         "'NOPE' is not an error type"},
        {"rules:\n  - id: x\n    type: CRASH_LOOP\n    severity: error\n    channels: [log]\n", "'CRASH_LOOP'"},
        {"rules:\n  - id: x\n    type: STALE_LOCK\n    severity: loud\n    channels: [log]\n", "severity 'loud'"},
        {"rules:\n  - id: x\n    type: STALE_LOCK\n    severity: error\n    channels: [logs]\n",
         "unknown channel 'logs'"},
        {"rules:\n  - id: x\n    type: STALE_LOCK\n    severity: error\n    channels: [log]\n    patterns: [a]\n",
         "needs samples"},
        {"rules: [\n", "rules/bad.yaml:"},
        {"other: 1\n", "one key, 'rules'"},
    };
    for (const auto& [yaml, expected] : cases) {
        auto catalog = RuleCatalog::load({{"rules/bad.yaml", std::string(yaml)}});
        ASSERT_FALSE(catalog) << yaml;
        EXPECT_NE(catalog.error().message.find(expected), std::string::npos) << catalog.error().message;
    }
    const std::string rule = "  - id: same\n    type: STALE_LOCK\n    severity: error\n    channels: [log]\n"
                             "    patterns: [a]\n    samples: {match: [a], near_miss: [b]}\n";
    auto duplicate = RuleCatalog::load({{"rules/a.yaml", "rules:\n" + rule}, {"rules/b.yaml", "rules:\n" + rule}});
    ASSERT_FALSE(duplicate);
    EXPECT_NE(duplicate.error().message.find("duplicate rule id 'same'"), std::string::npos);
}

TEST(Catalog, PatternsEitherEngineRejectsAreErrors)
{
    for (std::string_view pattern : {"(unclosed", "back(ref)\\1x", "look(?=ahead)"}) {
        auto catalog =
            RuleCatalog::load({{"rules/bad.yaml", fmt::format("rules:\n  - id: bad\n    type: STALE_LOCK\n"
                                                              "    severity: error\n    channels: [log]\n"
                                                              "    patterns: ['{}']\n    samples: {{match: [a], "
                                                              "near_miss: [b]}}\n",
                                                              pattern)}});
        ASSERT_TRUE(catalog) << catalog.error().message;
        auto classifier = Classifier::create(std::move(*catalog));
        EXPECT_FALSE(classifier) << pattern;
        if (!classifier) {
            EXPECT_NE(classifier.error().message.find("rule 'bad'"), std::string::npos) << classifier.error().message;
        }
    }
}

} // namespace
} // namespace medic::classify
