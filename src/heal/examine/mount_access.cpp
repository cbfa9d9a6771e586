// mount_access, mount_read_only, mount_space, mount_inodes: every mount, for the user the
// service runs as, walked from the mount point down the paths the service uses. A helper
// container runs as that uid:gid with the container's volumes, so each answer (search,
// read, write) is what the kernel says to that user; it also reads each file system's
// free blocks and inodes and whether the mount is read-only.

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "heal/actions/action_support.hpp"
#include "heal/examine/checks.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

/// Mounts that hold no data of the service: the Docker socket, kernel file systems.
bool is_data_mount(const docker::MountInfo& mount)
{
    if (mount.type != "bind" && mount.type != "volume" && mount.type != "tmpfs") {
        return false;
    }
    for (std::string_view system : {"/var/run/docker.sock", "/run/docker.sock", "/proc", "/sys", "/dev"}) {
        if (mount.destination == system || mount.destination.starts_with(std::string(system) + "/")) {
            return false;
        }
    }
    return mount.destination != "/";
}

std::string clean(std::string path)
{
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

/// The folder every relative path of the service is relative to.
std::string base_folder(const docker::ContainerDetails& container, Profile profile)
{
    if (profile == Profile::redis) {
        return redis_data_dir(container);
    }
    if (profile == Profile::postgres) {
        return postgres_data_dir(container);
    }
    return container.working_dir.empty() ? std::string() : container.working_dir;
}

/// Each folder from `mount` down to `path`, both included.
std::vector<std::string> chain_of(const std::string& mount, const std::string& path)
{
    std::vector<std::string> chain{mount};
    std::size_t at = mount == "/" ? 1 : mount.size() + 1;
    while (at < path.size()) {
        auto slash = path.find('/', at);
        if (slash == std::string::npos) {
            slash = path.size();
        }
        chain.push_back(path.substr(0, slash));
        at = slash + 1;
    }
    return chain;
}

std::string size_text(std::int64_t bytes)
{
    constexpr std::array<std::string_view, 5> k_units{"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < k_units.size()) {
        value /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, k_units[unit]);
}

std::string mode_text(unsigned mode)
{
    return fmt::format("{:04o}", mode & 07777U);
}

std::string owner_text(const PathFacts& facts)
{
    return fmt::format("owner {}:{}, mode {}", facts.uid, facts.gid, mode_text(facts.mode));
}

std::string who(const ServiceUser& user)
{
    return fmt::format("uid {} (gid {})", user.uid, user.gid);
}

const docker::MountInfo* mount_at(const docker::ContainerDetails& container, const std::string& destination)
{
    for (const auto& mount : container.mounts) {
        if (mount.destination == destination) {
            return &mount;
        }
    }
    return nullptr;
}

/// A change of owner or mode while the service ran (ctime inside a run, after its start):
/// no deployment does that to a running service's data.
std::optional<RunWindow> changed_while_running(const PathFacts& facts, const std::vector<RunWindow>& runs,
                                               incident::TimeMs now)
{
    const incident::TimeMs changed = facts.changed * 1000;
    for (const auto& run : runs) {
        const auto end = run.ended == 0 ? now : run.ended;
        if (run.started > 0 && changed > run.started + 5000 && changed < end) {
            return run;
        }
    }
    return std::nullopt;
}

/// The first folder of the chain the user cannot pass, else a passed check for the target.
Check walk_target(const MountTarget& target, const ServiceUser& user, const HelperReport& report,
                  const std::vector<RunWindow>& runs, incident::TimeMs now)
{
    const auto chain = chain_of(target.mount, target.path);
    Check check;
    check.kind = CheckKind::mount_access;
    check.subject = target.path;
    const PathFacts* parent = nullptr;
    for (std::size_t index = 0; index < chain.size(); ++index) {
        const auto& path = chain[index];
        const bool last = index + 1 == chain.size();
        const auto found = report.paths.find(path);
        if (found == report.paths.end()) {
            check.outcome = CheckOutcome::unknown;
            check.evidence = fmt::format("the helper did not report {}", path);
            return check;
        }
        const auto& facts = found->second;
        std::string failure;
        const PathFacts* blamed = &facts;
        if (!facts.exists) {
            if (facts.error.find("No such file") == std::string::npos) {
                check.outcome = CheckOutcome::unknown;
                check.evidence = fmt::format("cannot look at {}: {}", path, facts.error);
                return check;
            }
            if (parent != nullptr && !(parent->can_write && parent->can_search) && target.write) {
                failure = fmt::format("{} cannot create {} in {}: {}", who(user), path.substr(path.rfind('/') + 1),
                                      chain[index - 1], owner_text(*parent));
                blamed = parent;
            } else {
                check.outcome = CheckOutcome::passed;
                check.evidence = fmt::format("{} does not exist yet; {} can create it", path, who(user));
                return check;
            }
        } else if (!last && facts.is_directory() && !facts.can_search) {
            failure = fmt::format("{} cannot search {}: {}", who(user), path, owner_text(facts));
        } else if (last) {
            const bool directory = facts.is_directory();
            const char* denied = directory && !facts.can_search     ? "search"
                                 : !facts.can_read                  ? "read"
                                 : target.write && !facts.can_write ? "write"
                                                                    : nullptr;
            if (denied != nullptr) {
                failure = fmt::format("{} cannot {} {}: {}", who(user), denied, path, owner_text(facts));
            }
        }
        if (!failure.empty()) {
            const auto failing = blamed == parent ? chain[index - 1] : path;
            check.outcome = CheckOutcome::failed;
            check.subject = failing;
            check.evidence = failure;
            classify::Context context{{"path", failing},
                                      {"mount", target.mount},
                                      {"owner", user.owner()},
                                      {"current_owner", fmt::format("{}:{}", blamed->uid, blamed->gid)},
                                      {"mode", mode_text(blamed->mode)}};
            if (blamed->uid != user.uid) {
                if (auto run = changed_while_running(*blamed, runs, now)) {
                    check.evidence += fmt::format(
                        "; its owner or mode changed at {} while the service ran (since {}) as {}: not a mistake a "
                        "chown should undo",
                        format_utc(blamed->changed * 1'000'000'000, TimeStyle::rfc3339_nanos),
                        format_utc(run->started * 1'000'000, TimeStyle::rfc3339_nanos), who(user));
                    check.finding = check_finding(ErrorType::suspected_compromise, "check-owner-changed-while-running",
                                                  check.evidence, std::move(context), false);
                    return check;
                }
            }
            check.finding = check_finding(ErrorType::permission_denied, "check-mount-access", check.evidence,
                                          std::move(context), true);
            return check;
        }
        parent = &facts;
        if (last) {
            check.outcome = CheckOutcome::passed;
            check.evidence =
                fmt::format("{} can {} {} ({})", who(user), target.write ? "write" : "read", path, owner_text(facts));
        }
    }
    return check;
}

std::vector<Check> judge_file_system(const docker::MountInfo& mount, const MountFacts& facts)
{
    std::vector<Check> checks;
    if (!facts.known || facts.block_size <= 0) {
        return checks;
    }
    const bool volume = mount.type == "volume"; // under Docker's data root: pruning may free it
    const auto available = facts.available * facts.block_size;
    const auto total = facts.blocks * facts.block_size;
    Check space;
    space.kind = CheckKind::mount_space;
    space.subject = mount.destination;
    const bool full = available < std::max<std::int64_t>(64 * 1024, total / 1000);
    space.outcome = full ? CheckOutcome::failed : CheckOutcome::passed;
    space.evidence = fmt::format("{} free of {} on the file system of {}", size_text(available), size_text(total),
                                 mount.destination);
    if (full) {
        space.evidence = "no space left: " + space.evidence;
        space.finding =
            check_finding(ErrorType::resource_exhausted, volume ? "check-volume-space" : "check-mount-space",
                          space.evidence, {{"resource", "disk"}, {"path", mount.destination}}, volume);
    }
    checks.push_back(std::move(space));
    if (facts.inodes > 0) {
        Check inodes;
        inodes.kind = CheckKind::mount_inodes;
        inodes.subject = mount.destination;
        const bool out = facts.free_inodes == 0 || facts.free_inodes * 1000 < facts.inodes;
        inodes.outcome = out ? CheckOutcome::failed : CheckOutcome::passed;
        inodes.evidence = fmt::format("{} of {} inodes free on the file system of {}", facts.free_inodes, facts.inodes,
                                      mount.destination);
        if (out) {
            inodes.evidence = "no inodes left: " + inodes.evidence;
            inodes.finding =
                check_finding(ErrorType::resource_exhausted, volume ? "check-volume-inodes" : "check-mount-inodes",
                              inodes.evidence, {{"resource", "inodes"}, {"path", mount.destination}}, volume);
        }
        checks.push_back(std::move(inodes));
    }
    return checks;
}

} // namespace

std::vector<MountTarget> mount_targets(const docker::ContainerDetails& container, Profile profile,
                                       const std::vector<std::string>& named_paths)
{
    std::vector<MountTarget> targets;
    std::set<std::string> seen;
    auto add = [&](std::string path, bool write) {
        path = clean(std::move(path));
        const auto* mount = mount_holding(container, path);
        if (mount == nullptr || !is_data_mount(*mount) || !seen.insert(path).second) {
            return;
        }
        targets.push_back({mount->destination, path, write && mount->read_write});
    };
    const auto base = base_folder(container, profile);
    for (const auto& named : named_paths) {
        if (named.empty()) {
            continue;
        }
        if (named.front() == '/') {
            add(named, true);
        } else if (!base.empty()) {
            add(base + "/" + named, true);
        }
    }
    if (profile == Profile::redis) {
        add(base, true);
        add(base + "/appendonlydir", true);
    } else if (profile == Profile::postgres) {
        add(base, true);
        add(base + "/pg_wal", true);
    }
    for (const auto& mount : container.mounts) {
        add(mount.destination, mount.read_write);
    }
    // A target the service must write on a read-only mount stays a write target: the read-only check says so.
    for (auto& target : targets) {
        const auto* mount = mount_at(container, target.mount);
        if (mount != nullptr && !mount->read_write) {
            const bool named = std::any_of(named_paths.begin(), named_paths.end(),
                                           [&](const std::string& path) { return clean(path) == target.path; });
            target.write = named || (profile != Profile::generic && target.path.starts_with(base));
        }
    }
    return targets;
}

std::vector<std::string> helper_arguments(const std::vector<MountTarget>& targets)
{
    std::vector<std::string> arguments;
    std::set<std::string> seen;
    for (const auto& target : targets) {
        if (seen.insert("mount:" + target.mount).second) {
            arguments.push_back("mount:" + target.mount);
        }
    }
    for (const auto& target : targets) {
        for (const auto& folder : chain_of(target.mount, target.path)) {
            if (seen.insert(folder).second) {
                arguments.push_back(folder);
            }
        }
    }
    return arguments;
}

std::string_view mount_script()
{
    // stat -L follows links as the service would; test -r/-w/-x ask the kernel as this user.
    return R"sh(for item in "$@"; do
  case "$item" in
  mount:*)
    m=${item#mount:}
    fs=$(stat -f -c '%S %b %a %c %d' "$m" 2>/dev/null) || fs='- - - - -'
    ro=rw
    while read -r _ point _ options _; do
      if [ "$point" = "$m" ]; then case ",$options," in *,ro,*) ro=ro ;; *) ro=rw ;; esac; fi
    done </proc/self/mounts
    printf 'mount\t%s\t%s\t%s\n' "$m" "$fs" "$ro" ;;
  *)
    if facts=$(stat -L -c '%u %g %f %Z' "$item" 2>&1); then :; else facts="error ${facts#*: }"; fi
    access=
    [ -r "$item" ] && access=${access}r
    [ -w "$item" ] && access=${access}w
    [ -x "$item" ] && access=${access}x
    printf 'path\t%s\t%s\t%s\n' "$item" "${access:--}" "$facts" ;;
  esac
done
)sh";
}

HelperReport read_helper_report(std::string_view output)
{
    HelperReport report;
    std::istringstream lines{std::string(output)};
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> fields;
        std::size_t start = 0;
        for (auto tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
            fields.push_back(line.substr(start, tab - start));
            start = tab + 1;
        }
        fields.push_back(line.substr(start));
        if (fields.size() == 4 && fields[0] == "mount") {
            MountFacts facts;
            std::istringstream numbers(fields[2]);
            facts.known = static_cast<bool>(numbers >> facts.block_size >> facts.blocks >> facts.available >>
                                            facts.inodes >> facts.free_inodes);
            facts.read_only = fields[3] == "ro";
            report.mounts[fields[1]] = facts;
        } else if (fields.size() == 4 && fields[0] == "path") {
            PathFacts facts;
            facts.can_read = fields[2].find('r') != std::string::npos;
            facts.can_write = fields[2].find('w') != std::string::npos;
            facts.can_search = fields[2].find('x') != std::string::npos;
            if (fields[3].starts_with("error ")) {
                facts.error = fields[3].substr(6);
            } else {
                std::istringstream numbers(fields[3]);
                std::string mode;
                unsigned raw_mode = 0;
                if ((numbers >> facts.uid >> facts.gid >> mode >> facts.changed) &&
                    std::from_chars(mode.data(), mode.data() + mode.size(), raw_mode, 16).ec == std::errc{}) {
                    facts.exists = true;
                    facts.mode = raw_mode;
                } else {
                    facts.error = fields[3];
                }
            }
            report.paths[fields[1]] = facts;
        }
    }
    return report;
}

std::vector<Check> judge_mounts(const docker::ContainerDetails& container, const ServiceUser& user,
                                const std::vector<MountTarget>& targets, const HelperReport& report,
                                const std::vector<RunWindow>& runs, incident::TimeMs now)
{
    std::vector<Check> checks;
    std::set<std::string> read_only_reported;
    std::set<std::string> failures;
    for (const auto& target : targets) {
        const auto* mount = mount_at(container, target.mount);
        const auto facts = report.mounts.find(target.mount);
        const bool read_only =
            (mount != nullptr && !mount->read_write) || (facts != report.mounts.end() && facts->second.read_only);
        if (read_only && target.write) {
            if (read_only_reported.insert(target.mount).second) {
                Check check;
                check.kind = CheckKind::mount_read_only;
                check.subject = target.mount;
                check.outcome = CheckOutcome::failed;
                check.evidence =
                    fmt::format("{} is mounted read-only, and the service writes {}", target.mount, target.path);
                check.finding = check_finding(ErrorType::volume_mount_error, "check-mount-read-only", check.evidence,
                                              {{"path", target.mount}}, false);
                checks.push_back(std::move(check));
            }
            continue;
        }
        auto check = walk_target(target, user, report, runs, now);
        if (check.outcome == CheckOutcome::failed && !failures.insert(check.subject).second) {
            continue; // the same folder stops several targets: said once
        }
        checks.push_back(std::move(check));
    }
    std::set<std::string> file_systems;
    for (const auto& target : targets) {
        const auto* mount = mount_at(container, target.mount);
        const auto facts = report.mounts.find(target.mount);
        if (mount == nullptr || !mount->read_write || facts == report.mounts.end() ||
            !file_systems.insert(target.mount).second) {
            continue;
        }
        for (auto& check : judge_file_system(*mount, facts->second)) {
            checks.push_back(std::move(check));
        }
    }
    return checks;
}

boost::asio::awaitable<std::vector<Check>> check_mounts(ExamineContext& context)
{
    std::vector<Check> checks;
    const auto targets = mount_targets(context.container, context.profile, context.request.paths);
    if (targets.empty()) {
        co_return checks;
    }
    std::vector<std::string> command{"sh", "-c", std::string(mount_script()), "medic-examine"};
    for (auto& argument : helper_arguments(targets)) {
        command.push_back(std::move(argument));
    }
    HelperOptions options;
    options.image = HelperImage::fallback_only; // busybox: the same stat and test in every examination
    options.user = context.user.owner();
    for (const auto group : context.user.groups) {
        options.group_add.push_back(std::to_string(group));
    }
    const auto started = std::chrono::steady_clock::now();
    auto run = co_await context.helper.run(context.container, command, options);
    context.helper_time +=
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (!run || run->exit_code != 0) {
        Check check;
        check.kind = CheckKind::mount_access;
        check.subject = targets.front().mount;
        check.outcome = CheckOutcome::unknown;
        check.evidence = "the helper container could not look: " + (run ? run->output : run.error().message);
        checks.push_back(std::move(check));
        co_return checks;
    }
    co_return judge_mounts(context.container, context.user, targets, read_helper_report(run->output), context.runs,
                           context.now);
}

} // namespace medic::heal
