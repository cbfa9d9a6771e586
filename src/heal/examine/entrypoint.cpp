// entrypoint: the command a stopped container runs exists in its image and can be
// executed. The daemon answers from the container's own file system (HEAD archive),
// without running anything: a name is looked up along the container's PATH, links are
// followed, and a folder or a file without an x bit is said to be one.

#include <fmt/format.h>

#include "heal/examine/checks.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

constexpr std::string_view k_default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::vector<std::string> split_path(std::string_view path)
{
    std::vector<std::string> folders;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find(':', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        if (end > start) {
            folders.emplace_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return folders;
}

std::string parent_of(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
}

/// The stat of `path`, links followed (at most 8).
boost::asio::awaitable<Result<docker::PathStat>> resolve(docker::DockerClient& client, const std::string& container,
                                                         std::string path)
{
    for (int hop = 0; hop < 8; ++hop) {
        auto stat = co_await client.stat_path(container, path);
        if (!stat || !stat->is_symlink() || stat->link_target.empty()) {
            co_return stat;
        }
        path = stat->link_target.front() == '/' ? stat->link_target : parent_of(path) + "/" + stat->link_target;
    }
    co_return fail(ErrorKind::invalid_argument, fmt::format("{}: too many symbolic links", path));
}

} // namespace

boost::asio::awaitable<std::vector<Check>> check_entrypoint(ExamineContext& context)
{
    std::vector<Check> checks;
    const auto& container = context.container;
    if ((container.running && !container.restarting) || container.command.empty()) {
        co_return checks;
    }
    const auto& program = container.command.front();
    Check check;
    check.kind = CheckKind::entrypoint;
    check.subject = program;
    std::vector<std::string> candidates;
    if (program.find('/') != std::string::npos) {
        const auto base = container.working_dir.empty() ? std::string("/") : container.working_dir;
        candidates.push_back(program.front() == '/' ? program : base + "/" + program);
    } else {
        for (const auto& folder : split_path(container.env("PATH").value_or(std::string(k_default_path)))) {
            candidates.push_back(folder + "/" + program);
        }
    }
    for (const auto& candidate : candidates) {
        auto stat = co_await resolve(context.client, container.id, candidate);
        if (!stat) {
            if (stat.error().is_status(404)) {
                continue;
            }
            check.outcome = CheckOutcome::unknown;
            check.evidence = fmt::format("could not look at {}: {}", candidate, stat.error().message);
            checks.push_back(std::move(check));
            co_return checks;
        }
        if (stat->is_directory()) {
            check.outcome = CheckOutcome::failed;
            check.evidence = fmt::format("the command {} is a folder in the image, not a program", candidate);
        } else if ((stat->mode & 0111U) == 0) {
            check.outcome = CheckOutcome::failed;
            check.evidence =
                fmt::format("the command {} is not executable (mode {:04o})", candidate, stat->mode & 07777U);
        } else {
            check.outcome = CheckOutcome::passed;
            check.evidence = fmt::format("{} exists and is executable (mode {:04o})", candidate, stat->mode & 07777U);
            checks.push_back(std::move(check));
            co_return checks;
        }
        check.finding =
            check_finding(ErrorType::image_error, "check-entrypoint", check.evidence, {{"path", candidate}}, false);
        checks.push_back(std::move(check));
        co_return checks;
    }
    check.outcome = CheckOutcome::failed;
    check.evidence =
        program.find('/') != std::string::npos
            ? fmt::format("the command {} does not exist in the image {}", candidates.front(), container.image)
            : fmt::format("the command {} is in none of the folders of its PATH in the image {}", program,
                          container.image);
    check.finding =
        check_finding(ErrorType::image_error, "check-entrypoint", check.evidence, {{"path", program}}, false);
    checks.push_back(std::move(check));
    co_return checks;
}

} // namespace medic::heal
