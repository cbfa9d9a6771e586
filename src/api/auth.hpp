#pragma once
// Who may call the API. Two roles: a viewer reads, an operator also acts. A token is
// sent as `Authorization: Bearer`, or exchanged once at POST /api/login for an HttpOnly,
// SameSite=Strict session cookie (EventSource cannot send headers). The tokens are made
// on first start and kept 0600 in the data dir, unless the config names them.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.hpp"

namespace medic::api {

enum class Role : std::uint8_t { viewer, operator_role };

std::string_view to_string(Role role);

/// The two tokens the API accepts.
struct Tokens {
    std::string operator_token;
    std::string viewer_token;
};

/// The token files in the data dir.
inline constexpr std::string_view k_operator_token_file = "api-token";
inline constexpr std::string_view k_viewer_token_file = "api-viewer-token";

/// A random token: 32 bytes from the system's CSPRNG, hex.
std::string make_token();

/// Reads `<data_dir>/<file>`, or makes it (mode 0600) when it does not exist. A file
/// readable by others is refused: a token that leaked is not a token.
Result<std::string> load_or_create_token(const std::string& data_dir, std::string_view file);

/// The tokens to use: those given (config or environment), else the files in the data dir.
Result<Tokens> load_tokens(const std::string& data_dir, const std::optional<std::string>& operator_token,
                           const std::optional<std::string>& viewer_token);

/// True for 127.0.0.0/8, ::1 and "localhost": an address only this host can reach.
bool is_loopback_host(std::string_view host);

/// Splits a listen address "host:port" ("[::1]:9470" too: the brackets are dropped).
std::pair<std::string, std::string> split_listen_address(const std::string& listen);

/// Tokens and browser sessions.
class Authenticator {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::hours k_session_lifetime{12};
    static constexpr std::size_t k_max_sessions = 10000;

    explicit Authenticator(Tokens tokens) : m_tokens(std::move(tokens)) {}

    /// The role a token grants, compared in constant time.
    [[nodiscard]] std::optional<Role> role_of_token(std::string_view token) const;

    /// The role of a request from its Authorization and Cookie header values.
    std::optional<Role> role_of_request(std::string_view authorization, std::string_view cookie, Clock::time_point now);

    /// Opens a browser session; answers its id for the cookie.
    std::string open_session(Role role, Clock::time_point now);
    void close_session(std::string_view cookie);

    /// The Set-Cookie values for a session and for logging out.
    static std::string session_cookie(const std::string& session_id);
    static std::string expired_cookie();

private:
    Tokens m_tokens;
    struct Session {
        Role role = Role::viewer;
        Clock::time_point expires{};
    };
    std::map<std::string, Session, std::less<>> m_sessions;
};

/// The session id in a Cookie header, or "".
std::string_view session_from_cookie(std::string_view cookie);

/// A state-changing request is refused when a browser says it comes from another origin:
/// an Origin that is not `host`, or Sec-Fetch-Site cross-site/same-site.
bool is_cross_origin(std::string_view origin, std::string_view fetch_site, std::string_view host);

} // namespace medic::api
