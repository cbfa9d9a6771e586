#pragma once
// The one error policy of medic: an expected failure (the daemon said no, the
// container is gone, a timeout, malformed input) is a value, never an exception.

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace medic {

/// What kind of failure an Error describes; callers branch on this, never on text.
enum class ErrorKind {
    invalid_argument, ///< the caller passed something unusable (a bad URL, a bad name)
    connect_failed,   ///< nothing answered at the address
    timeout,          ///< the peer did not answer in time
    cancelled,        ///< the operation was cancelled (shutdown)
    protocol,         ///< the peer sent something that is not valid HTTP or not the expected format
    too_large,        ///< a frame, line, header or body exceeded its limit
    truncated,        ///< the stream ended in the middle of a unit (frame, header, body)
    daemon,           ///< the Docker daemon answered with an HTTP error status
    io,               ///< a local I/O failure (file, socket)
    tls,              ///< certificates could not be loaded or the handshake failed
};

/// A failure as a value: its kind, the daemon's HTTP status when there is one, and a
/// message that says what and where (for the daemon, its message verbatim).
struct Error {
    ErrorKind kind = ErrorKind::io;
    unsigned http_status = 0;
    std::string message;

    /// True when the daemon answered with `status` (e.g. 404 for a missing container).
    [[nodiscard]] bool is_status(unsigned status) const { return kind == ErrorKind::daemon && http_status == status; }
};

template <typename T>
using Result = tl::expected<T, Error>;

/// Builds the unexpected side of a Result in one expression.
inline tl::unexpected<Error> fail(ErrorKind kind, std::string message, unsigned http_status = 0)
{
    return tl::unexpected<Error>(Error{kind, http_status, std::move(message)});
}

/// The kind's name as shown to people and in JSON.
std::string_view to_string(ErrorKind kind);

} // namespace medic
