#pragma once
// The one table of recovery actions, by name.

#include <string_view>
#include <vector>

#include "heal/action.hpp"

namespace medic::heal {

/// The action registered as `name`, or null.
const Action* find_action(std::string_view name);

/// Every registered action, in the table's order.
const std::vector<const Action*>& all_actions();

/// "restart_container, recreate_container, ..." for error messages.
std::string known_action_names();

} // namespace medic::heal
