// docs/configuration.md is the reference of every config key, MEDIC_* variable, flag and
// label. It is checked against the code here, both ways, so neither can drift.

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

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
    const std::regex row(R"(^\| `([^`]+)` \|)");
    while (std::getline(section, line)) {
        std::smatch match;
        if (std::regex_search(line, match, row)) {
            names.insert(match[1]);
        }
    }
    return names;
}

std::set<std::string> all_matches(const std::string& text, const std::regex& pattern)
{
    std::set<std::string> found;
    for (auto match = std::sregex_iterator(text.begin(), text.end(), pattern); match != std::sregex_iterator();
         ++match) {
        found.insert((*match)[1]);
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
    auto flags = all_matches(main_source, std::regex(R"rx(add_(?:option|flag)\("(?:-\w,)?(--[a-z-]+)")rx"));
    flags.erase("--version");
    const auto start = k_document.find("\n## Flags\n");
    const auto end = k_document.find("\n## ", start + 1);
    // The table's cells hold several flags each: every --flag in the section.
    auto documented = all_matches(k_document.substr(start, end - start), std::regex(R"((--[a-z][a-z-]*))"));
    documented.erase("--help");
    EXPECT_EQ(documented, flags);
}

} // namespace
} // namespace medic
