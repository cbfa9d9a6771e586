#pragma once
// The parts of a request target: the path, split into segments, and the query
// parameters, percent-decoded. Parameters are read with their limits; a bad one
// is an error that names it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace medic::api {

struct Target {
    std::string path;
    std::vector<std::string> segments; ///< "/api/containers/x" -> {"api", "containers", "x"}
    std::map<std::string, std::string, std::less<>> parameters;
};

/// A bad parameter: its name and what is wrong with it.
struct ParameterError {
    std::string parameter;
    std::string message;
};

/// Splits and decodes a request target; a malformed escape is an error.
tl::expected<Target, ParameterError> parse_target(std::string_view target);

/// Decodes %XX escapes ('+' is a space in a query); std::nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// An integer parameter in [minimum, maximum]; `fallback` when absent.
tl::expected<std::int64_t, ParameterError> integer_parameter(const Target& target, std::string_view name,
                                                             std::int64_t fallback, std::int64_t minimum,
                                                             std::int64_t maximum);

/// A yes/no parameter: 1/0, true/false; `fallback` when absent.
tl::expected<bool, ParameterError> flag_parameter(const Target& target, std::string_view name, bool fallback);

/// The parameter's value, if given and not empty.
std::optional<std::string> text_parameter(const Target& target, std::string_view name);

/// Docker's container names ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128) and ids.
bool is_valid_container_name(std::string_view name);

} // namespace medic::api
