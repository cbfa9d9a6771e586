#pragma once
// Opening the history `medic run` keeps, for the commands that read it.

#include <memory>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace medic::cli {

/// A history time for a table: "2026-11-28 05:20:38" (UTC), "-" when unset.
std::string format_time(incident::TimeMs time);

/// The store at DATA_DIR/medic.db, or null after telling the person why (`command` names who asks).
std::unique_ptr<store::Store> open_history(const std::string& data_dir, std::string_view command);

} // namespace medic::cli
