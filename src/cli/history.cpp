#include "cli/history.hpp"

#include <filesystem>
#include <iostream>

#include "common/time_format.hpp"

namespace medic::cli {

std::string format_time(incident::TimeMs time)
{
    return time > 0 ? format_utc(time * 1'000'000, TimeStyle::readable) : "-";
}

std::unique_ptr<store::Store> open_history(const std::string& data_dir, std::string_view command)
{
    const auto path = data_dir + "/medic.db";
    if (!std::filesystem::exists(path)) {
        std::cerr << "medic " << command << ": no history at " << path
                  << " (medic run keeps it in its --data-dir; pass the same --data-dir here)\n";
        return nullptr;
    }
    auto store = store::Store::open(path);
    if (store->degraded()) {
        std::cerr << "medic " << command << ": " << store->degraded_reason() << "\n";
        return nullptr;
    }
    return store;
}

} // namespace medic::cli
