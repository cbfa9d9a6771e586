#pragma once
// JSON to and from the typed shapes of docker/types.hpp. nlohmann stays in the .cpp.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "docker/types.hpp"

namespace medic::docker {

Result<VersionInfo> parse_version(std::string_view json);
Result<std::vector<ContainerSummary>> parse_container_list(std::string_view json);
Result<ContainerDetails> parse_container_details(std::string_view json);
Result<std::string> parse_created_id(std::string_view json);
Result<int> parse_wait_status(std::string_view json);
Result<ExecState> parse_exec_state(std::string_view json);
Result<Event> parse_event(std::string_view json);
Result<std::vector<VolumeInfo>> parse_volume_list(std::string_view json);
Result<VolumeInfo> parse_volume(std::string_view json);
Result<std::vector<NetworkInfo>> parse_network_list(std::string_view json);
Result<NetworkInfo> parse_network(std::string_view json);
Result<std::vector<ImageInfo>> parse_image_list(std::string_view json);
Result<ImageInfo> parse_image(std::string_view json);
Result<SystemInfo> parse_system_info(std::string_view json);
Result<ProcessList> parse_process_list(std::string_view json);
/// The JSON of the X-Docker-Container-Path-Stat header (already base64-decoded).
Result<PathStat> parse_path_stat(std::string_view json);
Result<DiskUsage> parse_disk_usage(std::string_view json);
Result<PruneReport> parse_prune_report(PruneTarget target, std::string_view json);

std::string encode_container_spec(const ContainerSpec& spec);
std::string encode_exec_spec(const ExecSpec& spec);
std::string encode_volume_create(std::string_view name, const Labels& labels);
/// The `filters` query value: {"key": ["value", ...]} as JSON.
/// {"Container": id} for POST /networks/{id}/connect and /disconnect.
std::string encode_network_member(std::string_view container);
std::string encode_filters(const std::map<std::string, std::vector<std::string>>& filters);

} // namespace medic::docker
