#pragma once
// `medic classify [FILE...]`: classifies log text from files or stdin, for
// post-mortems and CI pipelines.

#include <string>
#include <vector>

namespace medic::cli {

struct ClassifyOptions {
    std::vector<std::string> files; ///< empty or "-": standard input
    bool summary = false;           ///< counts per type instead of one JSON object per finding
};

/// Prints findings to stdout; returns the exit code (2 when an input could not be read).
int run_classify(const ClassifyOptions& options);

} // namespace medic::cli
