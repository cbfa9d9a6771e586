#pragma once
// Where notifications go and how many: from the config file's `notify` keys.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medic::notify {

/// The shape of the message a receiver expects.
enum class Preset : std::uint8_t { generic, slack, discord, ntfy };

std::string_view to_string(Preset preset);
std::optional<Preset> parse_preset(std::string_view text);

struct Target {
    std::string url; ///< http:// or https://
    Preset preset = Preset::generic;
};

/// Which incidents are worth a message.
enum class NotifyOn : std::uint8_t {
    all,      ///< an incident opens, escalates (medic cannot heal it), is resolved after a message
    failures, ///< only when medic cannot heal: escalations, and their resolution
};

struct NotifyOptions {
    std::vector<Target> targets{};
    NotifyOn on = NotifyOn::all;
    int container_limit = 5;                   ///< messages about one container ...
    std::chrono::minutes container_window{10}; ///< ... within this time
    int global_limit = 60;                     ///< messages in all ...
    std::chrono::minutes global_window{60};    ///< ... within this time
    std::chrono::minutes repeat_window{
        60};              ///< a new incident of a type a person just heard of on that container is not told again
    int max_attempts = 8; ///< a message the receiver refused is tried again ...
    std::chrono::milliseconds first_retry{1000}; ///< ... after 1 s, 2 s, 4 s ...
    std::chrono::milliseconds max_retry{60000};  ///< ... at most this long apart
    std::chrono::milliseconds timeout{10000};    ///< per delivery attempt
    std::size_t max_queued = 200;                ///< per target; the oldest go first when more wait
};

} // namespace medic::notify
