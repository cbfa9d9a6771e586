#pragma once
// medic's Prometheus metrics, in the text exposition format 0.0.4: incidents and
// actions by type and result, detection and recovery latency histograms, and gauges
// read when scraped (followed containers, SSE clients, open incidents).

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace medic::api {

/// A cumulative histogram with fixed upper bounds in seconds.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds) : m_bounds(std::move(bounds)), m_counts(m_bounds.size(), 0) {}
    void observe(double seconds);
    void render(std::string& out, std::string_view name, std::string_view help) const;

private:
    std::vector<double> m_bounds;
    std::vector<std::uint64_t> m_counts;
    std::uint64_t m_count = 0;
    double m_sum = 0;
};

struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
};

class Metrics {
public:
    Metrics();

    /// Counts what the history just recorded.
    void on_change(const store::Change& change);
    void add_gauge(Gauge gauge) { m_gauges.push_back(std::move(gauge)); }
    void count_request(unsigned status) { ++m_requests[status]; }

    [[nodiscard]] std::string render() const;

private:
    std::map<std::string, std::uint64_t> m_incidents;                       ///< by type
    std::map<std::pair<std::string, std::string>, std::uint64_t> m_actions; ///< by action, result
    std::map<unsigned, std::uint64_t> m_requests;                           ///< by HTTP status
    Histogram m_detection;
    Histogram m_recovery;
    std::vector<Gauge> m_gauges;
};

/// Escapes a label value (backslash, quote, newline).
std::string escape_label(std::string_view value);

} // namespace medic::api
