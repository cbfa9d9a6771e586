#include "classify/attack_location.hpp"

#include <array>

#include <fmt/format.h>

namespace medic::classify {
namespace {

/// Folders whose files the system runs or trusts: a service's data never goes there.
constexpr std::array<std::string_view, 14> k_system_folders{
    "/etc",  "/root", "/var/spool/cron", "/var/www", "/boot",         "/usr",  "/bin",
    "/sbin", "/lib",  "/lib64",          "/srv/www", "/var/lib/cron", "/proc", "/sys"};

/// File names the attack writes.
constexpr std::array<std::string_view, 5> k_trusted_files{"authorized_keys", "authorized_keys2", "crontab",
                                                          "sshd_config", "ld.so.preload"};

bool under(std::string_view path, std::string_view folder)
{
    return path == folder || (path.starts_with(folder) && path.size() > folder.size() && path[folder.size()] == '/');
}

std::string_view base_name(std::string_view path)
{
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

} // namespace

std::optional<std::string> attack_location(std::string_view path, std::string_view file)
{
    while (path.size() > 1 && path.back() == '/') {
        path.remove_suffix(1);
    }
    const auto where =
        file.empty() ? std::string(path) : (path.empty() ? std::string(file) : fmt::format("{}/{}", path, file));
    for (const auto folder : k_system_folders) {
        if (under(path, folder)) {
            return fmt::format("the service was made to write into {} ({}), where no service keeps its data: the "
                               "trace of an attack (Redis CONFIG SET dir), not a permission problem",
                               where, folder);
        }
    }
    if (path.find("/.ssh") != std::string_view::npos || base_name(path) == ".ssh") {
        return fmt::format("the service was made to write into an .ssh folder ({}): the trace of an attack", where);
    }
    for (const auto name : k_trusted_files) {
        if (base_name(file) == name) {
            return fmt::format("the service was made to write a file named {} ({}): the trace of an attack", name,
                               where);
        }
    }
    return std::nullopt;
}

bool screen_for_attack(Finding& finding)
{
    const auto writes = finding.context.find("writes");
    if (writes == finding.context.end() || writes->second != "data" ||
        finding.type == ErrorType::suspected_compromise) {
        return false;
    }
    const auto path = finding.context.contains("path") ? finding.context.at("path") : std::string();
    const auto file = finding.context.contains("file") ? finding.context.at("file") : std::string();
    auto reason = attack_location(path, file);
    if (!reason) {
        return false;
    }
    if (finding.evidence.empty()) {
        finding.evidence.push_back(finding.text);
    }
    finding.evidence.push_back("medic: " + *reason);
    finding.type = ErrorType::suspected_compromise;
    finding.severity = Severity::critical;
    finding.role = RuleRole::cause;
    finding.healable = false;
    return true;
}

} // namespace medic::classify
