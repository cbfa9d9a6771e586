// Log-frame demultiplexing throughput (`make bench`). Figures are printed, never
// asserted. A newline count with memchr over the same bytes is printed beside
// them: the floor of any line-oriented reader on this machine.

#include <cstring>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "docker/frame_demuxer.hpp"
#include "docker/log_decoder.hpp"

namespace {

using medic::docker::FrameDemuxer;
using medic::docker::LogDecoder;
using medic::docker::OutputStream;
using medic::docker::StreamFraming;

/// 64 MiB of what `docker logs --timestamps` sends for a busy service: one frame
/// per line, lines of 40-240 bytes, one in ten on stderr.
const std::string& corpus()
{
    static const std::string bytes = [] {
        std::string data;
        data.reserve(70U << 20U);
        std::mt19937 random(42);
        std::uniform_int_distribution<int> length(40, 240);
        std::uniform_int_distribution<int> letter('a', 'z');
        std::size_t line_number = 0;
        while (data.size() < (64U << 20U)) {
            std::string line = "2026-11-28T05:20:38.123456789Z ";
            const int size = length(random);
            for (int index = 0; index < size; ++index) {
                line.push_back(index % 7 == 6 ? ' ' : static_cast<char>(letter(random)));
            }
            line.push_back('\n');
            const auto stream = ++line_number % 10 == 0 ? OutputStream::stderr_stream : OutputStream::stdout_stream;
            const auto length_field = static_cast<std::uint32_t>(line.size());
            const char header[8] = {static_cast<char>(stream),
                                    0,
                                    0,
                                    0,
                                    static_cast<char>(length_field >> 24U),
                                    static_cast<char>(length_field >> 16U),
                                    static_cast<char>(length_field >> 8U),
                                    static_cast<char>(length_field)};
            data.append(header, 8);
            data += line;
        }
        return data;
    }();
    return bytes;
}

constexpr std::size_t k_read_size = 64U * 1024U; // what one socket read hands over

void BM_FrameDemuxer(benchmark::State& state)
{
    const auto& bytes = corpus();
    std::size_t payload = 0;
    for (auto _ : state) {
        FrameDemuxer demuxer;
        payload = 0;
        auto sink = [&payload](OutputStream, std::string_view piece) { payload += piece.size(); };
        for (std::size_t offset = 0; offset < bytes.size(); offset += k_read_size) {
            (void)demuxer.feed(std::string_view(bytes).substr(offset, k_read_size), sink);
        }
        benchmark::DoNotOptimize(payload);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_FrameDemuxer)->Unit(benchmark::kMillisecond);

void BM_LogDecoderToLines(benchmark::State& state)
{
    const auto& bytes = corpus();
    std::size_t lines = 0;
    for (auto _ : state) {
        LogDecoder decoder(StreamFraming::multiplexed, true, 64U * 1024U);
        lines = 0;
        for (std::size_t offset = 0; offset < bytes.size(); offset += k_read_size) {
            (void)decoder.feed(std::string_view(bytes).substr(offset, k_read_size));
            while (auto line = decoder.pop()) {
                benchmark::DoNotOptimize(line->text.data());
                ++lines;
            }
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
    state.counters["lines/s"] =
        benchmark::Counter(static_cast<double>(lines * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LogDecoderToLines)->Unit(benchmark::kMillisecond);

void BM_Baseline_MemchrNewlines(benchmark::State& state)
{
    const auto& bytes = corpus();
    for (auto _ : state) {
        std::size_t newlines = 0;
        const char* position = bytes.data();
        const char* end = bytes.data() + bytes.size();
        while ((position = static_cast<const char*>(
                    std::memchr(position, '\n', static_cast<std::size_t>(end - position)))) != nullptr) {
            ++newlines;
            ++position;
        }
        benchmark::DoNotOptimize(newlines);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_Baseline_MemchrNewlines)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
