#include "watch/self_container.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace medic::watch {
namespace {

/// The 64 hex digits right after `marker` somewhere in `text`.
std::string id_after(std::string_view text, std::string_view marker)
{
    for (auto at = text.find(marker); at != std::string_view::npos; at = text.find(marker, at + 1)) {
        const auto id = text.substr(at + marker.size(), 64);
        if (id.size() == 64 && std::all_of(id.begin(), id.end(),
                                           [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
            return std::string(id);
        }
    }
    return {};
}

std::string read_all(const char* path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

} // namespace

std::string container_id_from_proc(std::string_view mountinfo, std::string_view cgroup)
{
    if (auto id = id_after(mountinfo, "/containers/"); !id.empty()) {
        return id;
    }
    return id_after(cgroup, "/docker/");
}

std::string own_container_id()
{
    return container_id_from_proc(read_all("/proc/self/mountinfo"), read_all("/proc/self/cgroup"));
}

} // namespace medic::watch
