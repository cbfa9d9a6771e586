#include "heal/safety.hpp"

namespace medic::heal {

std::string_view to_string(Safety safety)
{
    switch (safety) {
    case Safety::safe: return "safe";
    case Safety::disruptive: return "disruptive";
    case Safety::destructive: return "destructive";
    case Safety::host: return "host";
    }
    return "host";
}

std::optional<Safety> parse_safety(std::string_view text)
{
    for (auto safety : {Safety::safe, Safety::disruptive, Safety::destructive, Safety::host}) {
        if (to_string(safety) == text) {
            return safety;
        }
    }
    return std::nullopt;
}

} // namespace medic::heal
