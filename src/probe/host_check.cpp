#include "probe/host_check.hpp"

#include <sys/statvfs.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "docker/client.hpp"

namespace medic::probe {
namespace {

std::string read_text(const char* path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

/// The filesystem holding `path`: its id, size and free space; nullopt when it cannot be read.
std::optional<std::pair<unsigned long, DiskReport>> measure(const std::string& path, std::string what)
{
    struct statvfs info {};
    if (path.empty() || ::statvfs(path.c_str(), &info) != 0) {
        return std::nullopt;
    }
    DiskReport disk;
    disk.path = path;
    disk.what = std::move(what);
    disk.total_bytes = static_cast<std::uint64_t>(info.f_blocks) * info.f_frsize;
    disk.available_bytes = static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
    return std::make_pair(info.f_fsid, disk);
}

} // namespace

double DiskReport::used_percent() const
{
    if (total_bytes == 0) {
        return 0.0;
    }
    return 100.0 * static_cast<double>(total_bytes - available_bytes) / static_cast<double>(total_bytes);
}

std::pair<std::uint64_t, std::uint64_t> parse_meminfo(const std::string& text)
{
    std::uint64_t total = 0;
    std::uint64_t available = 0;
    std::istringstream lines(text);
    std::string key;
    std::uint64_t kilobytes = 0;
    std::string unit;
    while (lines >> key >> kilobytes) {
        std::getline(lines, unit);
        if (key == "MemTotal:") {
            total = kilobytes * 1024;
        } else if (key == "MemAvailable:") {
            available = kilobytes * 1024;
        }
    }
    return {total, available};
}

std::optional<double> parse_pressure(const std::string& text)
{
    const auto some = text.find("some avg10=");
    if (some == std::string::npos) {
        return std::nullopt;
    }
    try {
        return std::stod(text.substr(some + 11));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

boost::asio::awaitable<HostReport> check_host(docker::DockerClient& client, const HostThresholds& thresholds)
{
    HostReport report;
    const auto started = std::chrono::steady_clock::now();
    auto pinged = co_await client.ping();
    if (pinged) {
        report.ping_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    } else {
        report.ping_error = pinged.error().message;
        co_return report; // nothing else can be asked
    }
    if (auto info = co_await client.system_info()) {
        report.docker_root_dir = info->docker_root_dir;
    }
    std::set<unsigned long> seen;
    if (auto root = measure(report.docker_root_dir, "Docker data root")) {
        seen.insert(root->first);
        report.disks.push_back(root->second);
    } else {
        report.disk_error = fmt::format("cannot measure the data root '{}' from here (is medic in a container "
                                        "without it mounted?)",
                                        report.docker_root_dir);
    }
    if (auto volumes = co_await client.list_volumes()) {
        for (const auto& volume : *volumes) {
            if (auto disk = measure(volume.mountpoint, "volume " + volume.name);
                disk && seen.insert(disk->first).second) {
                report.disks.push_back(disk->second);
            }
        }
    }
    if (auto usage = co_await client.disk_usage()) {
        report.images_bytes = usage->images_size;
        report.containers_bytes = usage->containers_size;
        report.volumes_bytes = usage->volumes_size;
        report.build_cache_bytes = usage->build_cache_size;
    }
    const auto [total, available] = parse_meminfo(read_text("/proc/meminfo"));
    report.memory_total = total;
    report.memory_available = available;
    report.memory_pressure = parse_pressure(read_text("/proc/pressure/memory"));
    report.findings = host_findings(report, thresholds);
    co_return report;
}

std::vector<classify::Finding> host_findings(const HostReport& report, const HostThresholds& thresholds)
{
    std::vector<classify::Finding> findings;
    auto add = [&](std::string resource, std::string path, std::string text) {
        classify::Finding finding;
        finding.type = classify::ErrorType::resource_exhausted;
        finding.severity = classify::Severity::warning;
        finding.healable = resource == "disk"; // what Docker can rebuild may be pruned
        finding.context = {{"resource", resource}};
        if (!path.empty()) {
            finding.context["path"] = std::move(path);
        }
        finding.text = std::move(text);
        findings.push_back(std::move(finding));
    };
    for (const auto& disk : report.disks) {
        if (disk.used_percent() >= thresholds.disk_percent) {
            add("disk", disk.path,
                fmt::format("host disk of the {} ({}) is {:.0f}% full, {:.1f} GB free (threshold {}%)", disk.what,
                            disk.path, disk.used_percent(), static_cast<double>(disk.available_bytes) / 1e9,
                            thresholds.disk_percent));
        }
    }
    if (report.memory_total > 0) {
        const double used = 100.0 * static_cast<double>(report.memory_total - report.memory_available) /
                            static_cast<double>(report.memory_total);
        if (used >= thresholds.memory_percent) {
            add("memory", "",
                fmt::format("host memory {:.0f}% in use, {:.0f} MB available (threshold {}%){}", used,
                            static_cast<double>(report.memory_available) / 1e6, thresholds.memory_percent,
                            report.memory_pressure ? fmt::format(", pressure {:.1f}%", *report.memory_pressure)
                                                   : std::string()));
        }
    }
    return findings;
}

} // namespace medic::probe
