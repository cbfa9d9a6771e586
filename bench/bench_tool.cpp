// Helpers for `make bench` that need medic's own code:
//   medic-bench-tool corpus FILE MEGABYTES   writes a realistic log corpus
//   medic-bench-tool patterns                prints every catalog pattern, one a line (for rg -f)
//   medic-bench-tool latency LINES           detection latency on the engine of DOCKER_HOST

#include <algorithm>
#include <fstream>
#include <iostream>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "classify/classifier.hpp"
#include "cli/daemon_connection.hpp"
#include "incident/incident_tracker.hpp"
#include "store/store.hpp"
#include "watch/container_watcher.hpp"

namespace {

using namespace medic;

/// Mostly ordinary lines of Redis, PostgreSQL, nginx and application logs; about
/// one in 500 is an error the catalog knows.
int write_corpus(const std::string& path, std::size_t megabytes)
{
    const std::vector<std::string> ordinary = {
        "1:M 28 Nov 2026 05:35:45.864 * Background saving started by pid 4242",
        "1:M 28 Nov 2026 05:35:45.964 * DB saved on disk",
        "2026-11-28 05:35:45.123 UTC [77] LOG:  checkpoint complete: wrote 34 buffers (0.2%); 0 WAL file(s) added",
        "2026-11-28 05:35:45.124 UTC [81] LOG:  connection authorized: user=app database=app application_name=web",
        "172.18.0.1 - - [28/Nov/2026:05:35:45 +0000] \"GET /api/v1/items?page=2 HTTP/1.1\" 200 5123 \"-\" \"curl/8.5\"",
        "{\"level\":\"info\",\"ts\":1764308145.123,\"msg\":\"request served\",\"path\":\"/health\",\"status\":200}",
        "INFO  [worker-3] com.example.jobs.Scheduler - job 88123 finished in 412 ms",
        "\x1b[32m2026-11-28T05:35:45Z\x1b[0m info: cache warm, 1234 keys loaded",
    };
    const std::vector<std::string> errors = {
        "1:M 28 Nov 2026 05:35:45.864 # Can't open or create append-only dir appendonlydir: Permission denied",
        "2026-11-28 05:35:45.123 UTC [9] FATAL:  lock file \"postmaster.pid\" already exists",
        "Error response from daemon: driver failed programming external connectivity on endpoint web (1f2e): Bind for "
        "0.0.0.0:8080 failed: port is already allocated",
        "2026-11-28 05:35:45.123 UTC [12] PANIC:  could not write to file \"pg_wal/xlogtemp.12\": No space left on "
        "device",
        "1:M 28 Nov 2026 05:35:45.864 # Bad file format reading the append only file appendonly.aof.1.incr.aof",
    };
    std::ofstream file(path, std::ios::binary);
    std::mt19937 random(1);
    std::size_t written = 0;
    std::size_t lines = 0;
    std::string buffer;
    while (written < megabytes * 1024 * 1024) {
        const auto& line =
            random() % 500 == 0 ? errors[random() % errors.size()] : ordinary[random() % ordinary.size()];
        buffer += line;
        buffer += '\n';
        ++lines;
        if (buffer.size() > (1U << 20U)) {
            file << buffer;
            written += buffer.size();
            buffer.clear();
        }
    }
    file << buffer;
    std::cout << fmt::format("{} lines, {} MB\n", lines, (written + buffer.size()) >> 20U);
    return file ? 0 : 1;
}

int print_patterns()
{
    auto catalog = classify::RuleCatalog::load_embedded();
    if (!catalog) {
        std::cerr << catalog.error().message << "\n";
        return 1;
    }
    for (const auto& rule : catalog->rules()) {
        for (const auto& pattern : rule.patterns) {
            // rg joins the lines into one alternation, where group names would clash.
            std::string plain;
            for (std::size_t index = 0; index < pattern.size(); ++index) {
                if (pattern.compare(index, 4, "(?P<") == 0 && pattern.find('>', index) != std::string::npos) {
                    plain += "(?:";
                    index = pattern.find('>', index);
                } else {
                    plain += pattern[index];
                }
            }
            std::cout << plain << "\n";
        }
    }
    return 0;
}

/// Runs `task` on `io` until it finishes, while other work (the watcher) goes on.
template <typename T>
T run_until_done(boost::asio::io_context& io, boost::asio::awaitable<T> task)
{
    std::optional<T> value;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr, T result) { value.emplace(std::move(result)); });
    while (!value) {
        if (io.run_one() == 0) {
            io.restart();
        }
    }
    return std::move(*value);
}

/// A container writes `lines` error lines 20 ms apart; the watcher (the code of
/// medic run) stores each as a finding; the latency is the finding's storage time
/// minus the daemon's timestamp of the line.
int measure_latency(int lines)
{
    boost::asio::io_context io;
    auto client = cli::run_blocking(io, cli::connect_to_daemon(std::nullopt));
    if (!client) {
        std::cerr << cli::explain_connection_failure(client.error()) << "\n";
        return 1;
    }
    auto compiled = classify::Classifier::create_embedded();
    if (!compiled) {
        std::cerr << compiled.error().message << "\n";
        return 1;
    }
    auto classifier = std::move(*compiled);
    auto store = store::Store::open(":memory:");
    incident::IncidentTracker tracker(*store);
    watch::WatcherOptions options;
    options.mode = watch::WatchMode::opt_in;
    watch::ContainerWatcher watcher(**client, classifier, tracker, *store, options);
    bool watching = true;
    boost::asio::co_spawn(io, watcher.run(), [&](std::exception_ptr) { watching = false; });

    const std::string name = fmt::format("medic-bench-latency-{}", ::getpid());
    docker::ContainerSpec spec;
    spec.image = "medic-test/tools";
    spec.labels = {{"medic.enable", "true"}, {"medic.e2e", "true"}};
    spec.command = {"sh", "-c",
                    fmt::format("sleep 1; i=0; while [ $i -lt {} ]; do echo \"Can't open or create append-only dir "
                                "seq-$i: Permission denied\"; i=$((i+1)); sleep 0.02; done; sleep 60",
                                lines)};
    auto started = run_until_done(io, [&]() -> boost::asio::awaitable<Result<void>> {
        auto id = co_await (*client)->create_container(name, spec);
        if (!id) {
            co_return tl::unexpected(id.error());
        }
        co_return co_await (*client)->start_container(*id);
    }());
    if (!started) {
        std::cerr << "cannot start the latency container: " << started.error().message << "\n";
        return 1;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30 + lines / 20);
    std::vector<std::int64_t> latencies;
    while (std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(100));
        io.restart();
        latencies.clear();
        for (const auto& finding : store->findings({.page = {1, 500}})) {
            if (finding.container_name == name) {
                latencies.push_back(finding.seen_at - finding.signal_time);
            }
        }
        if (static_cast<int>(latencies.size()) >= lines) {
            break;
        }
    }
    watcher.stop();
    while (watching) {
        io.run_for(std::chrono::milliseconds(50));
        io.restart();
    }
    (void)run_until_done(io, (*client)->remove_container(name, {true, false}));
    if (latencies.empty()) {
        std::cerr << "no finding was stored\n";
        return 1;
    }
    std::sort(latencies.begin(), latencies.end());
    auto percentile = [&](double fraction) {
        return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(fraction * latencies.size()))];
    };
    std::cout << fmt::format("detection latency over {} lines (written -> stored): p50 {} ms, p99 {} ms, max {} ms\n",
                             latencies.size(), percentile(0.50), percentile(0.99), latencies.back());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "corpus" && argc == 4) {
        return write_corpus(argv[2], std::stoul(argv[3]));
    }
    if (command == "patterns") {
        return print_patterns();
    }
    if (command == "latency" && argc == 3) {
        return measure_latency(std::stoi(argv[2]));
    }
    std::cerr << "usage: medic-bench-tool corpus FILE MEGABYTES | patterns | latency LINES\n";
    return 2;
}
