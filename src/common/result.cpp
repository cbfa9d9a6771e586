#include "common/result.hpp"

namespace medic {

std::string_view to_string(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::invalid_argument: return "invalid_argument";
    case ErrorKind::connect_failed: return "connect_failed";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::too_large: return "too_large";
    case ErrorKind::truncated: return "truncated";
    case ErrorKind::daemon: return "daemon";
    case ErrorKind::io: return "io";
    case ErrorKind::tls: return "tls";
    }
    return "unknown";
}

} // namespace medic
