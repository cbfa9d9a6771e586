#pragma once
// `medic classify [FILE...]`: classifies log text from files or stdin, for
// post-mortems and CI pipelines. With --run each input is one run of a program, read
// as medic reads a container's run: multi-line errors whole, and one decision.

#include <string>
#include <vector>

namespace medic::cli {

struct ClassifyOptions {
    std::vector<std::string> files; ///< empty or "-": standard input
    bool summary = false;           ///< counts per type instead of one JSON object per finding
    bool run = false; ///< one JSON object per input: its cause, the line that decided, the context, the evidence
};

/// Prints findings to stdout; returns the exit code: 2 when an input could not be read,
/// 1 when --run found no cause in an input, else 0.
int run_classify(const ClassifyOptions& options);

} // namespace medic::cli
