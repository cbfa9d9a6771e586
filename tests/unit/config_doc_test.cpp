// docs/configuration.md is the reference of every config key, MEDIC_* variable, flag and
// label. It is checked against the code here, both ways, so neither can drift.

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "cli/settings.hpp"
#include "watch/label_check.hpp"

namespace medic {
namespace {

std::string read(const std::string& path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

/// The first cell's `name` of every table row in the section under `heading`.
std::set<std::string> first_cells(const std::string& document, const std::string& heading)
{
    const auto start = document.find("\n## " + heading + "\n");
    EXPECT_NE(start, std::string::npos) << "no section " << heading;
    const auto end = document.find("\n## ", start + 1);
    std::istringstream section(document.substr(start, end - start));
    std::set<std::string> names;
    std::string line;
    const RE2 row(R"(^\| `([^`]+)` \|)");
    while (std::getline(section, line)) {
        std::string name;
        if (RE2::PartialMatch(line, row, &name)) {
            names.insert(name);
        }
    }
    return names;
}

std::set<std::string> all_matches(const std::string& text, const RE2& pattern)
{
    std::set<std::string> found;
    re2::StringPiece rest(text);
    std::string match;
    while (RE2::FindAndConsume(&rest, pattern, &match)) {
        found.insert(match);
    }
    return found;
}

const std::string k_document = read(std::string(MEDIC_SOURCE_DIR) + "/docs/configuration.md");

TEST(ConfigurationReference, NamesEveryConfigKeyTheSettingsRead)
{
    const auto keys = cli::config_keys();
    EXPECT_EQ(first_cells(k_document, "Config file keys"), std::set<std::string>(keys.begin(), keys.end()));
}

TEST(ConfigurationReference, NamesEveryEnvironmentVariable)
{
    const auto names = cli::environment_variables();
    EXPECT_EQ(first_cells(k_document, "Environment variables"), std::set<std::string>(names.begin(), names.end()));
}

TEST(ConfigurationReference, NamesEveryLabel)
{
    const auto labels = watch::known_labels();
    EXPECT_EQ(first_cells(k_document, "Container labels"), std::set<std::string>(labels.begin(), labels.end()));
}

TEST(ConfigurationReference, NamesEveryFlagOfTheCommandLine)
{
    const auto main_source = read(std::string(MEDIC_SOURCE_DIR) + "/src/main.cpp");
    auto flags = all_matches(main_source, RE2(R"rx(add_(?:option|flag)\("(?:-\w,)?(--[a-z-]+)")rx"));
    flags.erase("--version");
    const auto start = k_document.find("\n## Flags\n");
    const auto end = k_document.find("\n## ", start + 1);
    // The table's cells hold several flags each: every --flag in the section.
    auto documented = all_matches(k_document.substr(start, end - start), RE2(R"((--[a-z][a-z-]*))"));
    documented.erase("--help");
    EXPECT_EQ(documented, flags);
}

} // namespace
} // namespace medic
