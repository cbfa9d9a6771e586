#include "probe/probe_finding.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace medic::probe {
namespace {

bool is_cause(classify::ErrorType type)
{
    return type == classify::ErrorType::permission_denied || type == classify::ErrorType::resource_exhausted;
}

} // namespace

classify::Finding finding_for(classify::Classifier& classifier, const ProbeSpec& spec, const ProbeResult& result)
{
    std::optional<classify::Finding> finding;
    const auto& signal = result.signal.empty() ? result.summary : result.signal;
    for (auto line = result.log_tail.rbegin(); line != result.log_tail.rend() && !finding; ++line) {
        if (auto cause = classifier.classify(*line, classify::Channel::log); cause && is_cause(cause->type)) {
            finding = std::move(cause);
            finding->text = fmt::format("probe {}: {}; the server logged: {}", spec.kind, signal, *line);
        }
    }
    if (!finding) {
        finding = classifier.classify(signal, classify::Channel::probe);
        if (finding) {
            finding->text = fmt::format("probe {}: {}", spec.kind, signal);
        }
    }
    if (!finding) {
        finding.emplace();
        finding->type = classify::ErrorType::health_check_failed;
        finding->severity = classify::Severity::error;
        finding->healable = true;
        finding->text = fmt::format("probe {}: {}", spec.kind, signal);
    }
    finding->context["probe"] = spec.kind;
    if (spec.address) {
        finding->context["address"] = spec.address->to_string();
    }
    if (!result.failed_checks.empty()) {
        finding->context["checks"] = fmt::format("{}", fmt::join(result.failed_checks, ","));
    }
    return *finding;
}

} // namespace medic::probe
