#include "heal/quarantine.hpp"

#include <fmt/format.h>

#include "common/time_format.hpp"
#include "heal/volume_helper.hpp"

namespace medic::heal {
namespace {

namespace asio = boost::asio;

// Fixed scripts: container data reaches them only as positional arguments.
constexpr std::string_view k_quarantine_script = R"sh(set -eu
mode=$1 root=$2 stamp=$3 incident=$4
shift 4
dir=$root/.medic-quarantine/$stamp
mkdir -p "$dir"
one() {
	path=$1
	case $path in "$root"/*) ;; *) echo "medic: $path is not under $root" >&2; exit 3 ;; esac
	[ -e "$path" ] || [ -L "$path" ] || return 0
	relative=${path#"$root"/}
	mkdir -p "$dir/$(dirname "$relative")"
	if [ -d "$path" ]; then find "$path" -type f; else echo "$path"; fi | while IFS= read -r file; do
		printf '%s\t%s\t%s\t%s\n' "$incident" "$file" "$(stat -c %s "$file")" "$(sha256sum "$file" | cut -d' ' -f1)"
	done >>"$dir/MANIFEST.tsv"
	if [ "$mode" = copy ]; then cp -a "$path" "$dir/$relative"; else mv "$path" "$dir/$relative"; fi
}
if [ "$mode" = move-all ]; then
	mode=move
	find "$root" -mindepth 1 -maxdepth 1 ! -name .medic-quarantine | while IFS= read -r path; do one "$path"; done
else
	for path in "$@"; do one "$path"; done
fi
touch "$dir/MANIFEST.tsv"
cat "$dir/MANIFEST.tsv"
)sh";

// A whole item whose place is free goes back as it is (owner and mode kept); into a
// place that exists again (a repaired file's folder), file by file, setting aside what
// is there now.
constexpr std::string_view k_restore_script = R"sh(set -eu
root=$1 stamp=$2 aside=$3
dir=$root/.medic-quarantine/$stamp
[ -f "$dir/MANIFEST.tsv" ] || { echo "medic: $dir/MANIFEST.tsv does not exist" >&2; exit 3; }
find "$dir" -mindepth 1 -maxdepth 1 ! -name MANIFEST.tsv | while IFS= read -r item; do
	name=${item#"$dir"/}
	if [ ! -e "$root/$name" ]; then
		mv "$item" "$root/$name"
		echo "restored: $root/$name"
		continue
	fi
	find "$item" -type f | while IFS= read -r file; do
		relative=${file#"$dir"/}
		if [ -e "$root/$relative" ]; then
			mkdir -p "$root/.medic-quarantine/$aside/$(dirname "$relative")"
			mv "$root/$relative" "$root/.medic-quarantine/$aside/$relative"
			echo "set aside: $root/$relative"
		fi
		mkdir -p "$(dirname "$root/$relative")"
		mv "$file" "$root/$relative"
		echo "restored: $root/$relative"
	done
done
)sh";

} // namespace

std::string quarantine_stamp(incident::TimeMs now, std::int64_t incident_id)
{
    auto text = format_utc(now * 1'000'000, TimeStyle::compact);
    return fmt::format("{}-incident-{}", text, incident_id);
}

asio::awaitable<Result<store::QuarantineRecord>> quarantine(ActionContext& context, const std::string& root,
                                                            const std::vector<std::string>& paths, QuarantineMode mode)
{
    const auto now = incident::TimeMs(unix_millis_now());
    store::QuarantineRecord record;
    record.incident_id = context.incident.id;
    record.action_id = context.action_id;
    record.container_id = context.container.id;
    record.container_name = context.container.name;
    record.root = root;
    record.directory = quarantine_stamp(now, context.incident.id);
    record.created_at = now;
    const std::string_view mode_name = mode == QuarantineMode::copy       ? "copy"
                                       : mode == QuarantineMode::move_all ? "move-all"
                                                                          : "move";
    std::vector<std::string> command{"sh",
                                     "-c",
                                     std::string(k_quarantine_script),
                                     "medic-quarantine",
                                     std::string(mode_name),
                                     root,
                                     record.directory,
                                     std::to_string(context.incident.id)};
    command.insert(command.end(), paths.begin(), paths.end());
    auto run = co_await context.helper.run(context.container, command);
    if (!run) {
        co_return tl::unexpected(run.error());
    }
    if (run->exit_code != 0) {
        co_return fail(ErrorKind::io,
                       fmt::format("quarantine in {} failed (exit {}): {}", root, run->exit_code, run->output));
    }
    record.items = run->output;
    record.id = context.store.insert_quarantine(record);
    co_return record;
}

asio::awaitable<Result<std::string>> restore(VolumeHelper& helper, const docker::ContainerDetails& container,
                                             const store::QuarantineRecord& record)
{
    const auto now = incident::TimeMs(unix_millis_now());
    const std::string aside = record.directory + "-replaced-" + format_utc(now * 1'000'000, TimeStyle::compact);
    const std::vector<std::string> command{
        "sh", "-c", std::string(k_restore_script), "medic-restore", record.root, record.directory, aside};
    auto run = co_await helper.run(container, command);
    if (!run) {
        co_return tl::unexpected(run.error());
    }
    if (run->exit_code != 0) {
        co_return fail(ErrorKind::io,
                       fmt::format("restore into {} failed (exit {}): {}", record.root, run->exit_code, run->output));
    }
    co_return run->output;
}

} // namespace medic::heal
