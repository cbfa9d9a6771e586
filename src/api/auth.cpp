#include "api/auth.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace medic::api {

std::string_view to_string(Role role)
{
    return role == Role::operator_role ? "operator" : "viewer";
}

std::string make_token()
{
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("the system's random number generator failed");
    }
    std::string token;
    for (auto byte : bytes) {
        token += fmt::format("{:02x}", byte);
    }
    return token;
}

namespace {

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

bool equal_in_constant_time(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

Result<std::string> load_or_create_token(const std::string& data_dir, std::string_view file)
{
    const auto path = fmt::format("{}/{}", data_dir, file);
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0) {
        if ((status.st_mode & 077) != 0) {
            return fail(ErrorKind::invalid_argument,
                        fmt::format("the token file {} can be read by others (mode {:o}); run chmod 600 {}", path,
                                    status.st_mode & 0777, path));
        }
        std::ifstream input(path);
        std::string token;
        std::getline(input, token);
        token = trimmed(token);
        if (token.size() < 16) {
            return fail(
                ErrorKind::invalid_argument,
                fmt::format("the token in {} is shorter than 16 characters; remove the file to make a new one", path));
        }
        return token;
    }
    auto token = make_token();
    const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (descriptor < 0) {
        return fail(ErrorKind::io, fmt::format("cannot create the token file {}: {}", path, std::strerror(errno)));
    }
    const auto line = token + "\n";
    const auto written = ::write(descriptor, line.data(), line.size());
    ::close(descriptor);
    if (written != static_cast<ssize_t>(line.size())) {
        return fail(ErrorKind::io, fmt::format("cannot write the token file {}", path));
    }
    return token;
}

Result<Tokens> load_tokens(const std::string& data_dir, const std::optional<std::string>& operator_token,
                           const std::optional<std::string>& viewer_token)
{
    Tokens tokens;
    for (auto [given, file, target] : {std::tuple{&operator_token, k_operator_token_file, &tokens.operator_token},
                                       std::tuple{&viewer_token, k_viewer_token_file, &tokens.viewer_token}}) {
        if (*given) {
            if ((*given)->size() < 16) {
                return fail(ErrorKind::invalid_argument,
                            fmt::format("the configured API token for {} is shorter than 16 characters", file));
            }
            *target = **given;
            continue;
        }
        auto token = load_or_create_token(data_dir, file);
        if (!token) {
            return tl::unexpected(token.error());
        }
        *target = std::move(*token);
    }
    if (tokens.operator_token == tokens.viewer_token) {
        return fail(ErrorKind::invalid_argument, "the operator and viewer API tokens are the same; make them differ");
    }
    return tokens;
}

std::pair<std::string, std::string> split_listen_address(const std::string& listen)
{
    const auto colon = listen.rfind(':');
    auto host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    return {host, listen.substr(colon + 1)};
}

bool is_loopback_host(std::string_view host)
{
    if (host == "localhost") {
        return true;
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(host, error);
    return !error && address.is_loopback();
}

std::optional<Role> Authenticator::role_of_token(std::string_view token) const
{
    if (equal_in_constant_time(token, m_tokens.operator_token)) {
        return Role::operator_role;
    }
    if (equal_in_constant_time(token, m_tokens.viewer_token)) {
        return Role::viewer;
    }
    return std::nullopt;
}

std::optional<Role> Authenticator::role_of_request(std::string_view authorization, std::string_view cookie,
                                                   Clock::time_point now)
{
    constexpr std::string_view bearer = "Bearer ";
    if (authorization.size() > bearer.size() && authorization.substr(0, bearer.size()) == bearer) {
        return role_of_token(authorization.substr(bearer.size()));
    }
    const auto session_id = session_from_cookie(cookie);
    if (session_id.empty()) {
        return std::nullopt;
    }
    const auto session = m_sessions.find(session_id);
    if (session == m_sessions.end()) {
        return std::nullopt;
    }
    if (session->second.expires <= now) {
        m_sessions.erase(session);
        return std::nullopt;
    }
    return session->second.role;
}

std::string Authenticator::open_session(Role role, Clock::time_point now)
{
    if (m_sessions.size() >= k_max_sessions) {
        std::erase_if(m_sessions, [now](const auto& entry) { return entry.second.expires <= now; });
        if (m_sessions.size() >= k_max_sessions) {
            m_sessions.erase(m_sessions.begin()); // a login flood must not grow memory without bound
        }
    }
    auto id = make_token();
    m_sessions[id] = Session{role, now + k_session_lifetime};
    return id;
}

void Authenticator::close_session(std::string_view cookie)
{
    const auto session = m_sessions.find(session_from_cookie(cookie));
    if (session != m_sessions.end()) {
        m_sessions.erase(session);
    }
}

std::string Authenticator::session_cookie(const std::string& session_id)
{
    return fmt::format("medic_session={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", session_id,
                       std::chrono::duration_cast<std::chrono::seconds>(k_session_lifetime).count());
}

std::string Authenticator::expired_cookie()
{
    return "medic_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
}

std::string_view session_from_cookie(std::string_view cookie)
{
    constexpr std::string_view name = "medic_session=";
    while (!cookie.empty()) {
        const auto end = cookie.find(';');
        auto pair = cookie.substr(0, end);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        if (pair.substr(0, name.size()) == name) {
            return pair.substr(name.size());
        }
        if (end == std::string_view::npos) {
            break;
        }
        cookie.remove_prefix(end + 1);
    }
    return {};
}

bool is_cross_origin(std::string_view origin, std::string_view fetch_site, std::string_view host)
{
    if (fetch_site == "cross-site" || fetch_site == "same-site") {
        return true;
    }
    if (origin.empty()) {
        return false; // not a browser, or a same-origin GET-like request without Origin
    }
    const auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) {
        return true; // "null" and other opaque origins
    }
    return origin.substr(scheme_end + 3) != host;
}

} // namespace medic::api
