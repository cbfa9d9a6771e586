#include "fake_daemon.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace medic::testing {
namespace {

std::atomic<int> g_counter{0};

std::string read_request(int socket)
{
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 1'000'000) {
        const ssize_t received = ::recv(socket, buffer, sizeof buffer, 0);
        if (received <= 0) {
            break;
        }
        request.append(buffer, static_cast<std::size_t>(received));
    }
    return request;
}

} // namespace

FakeDaemon::FakeDaemon(Script script) : m_script(std::move(script))
{
    m_path = "/tmp/medic-fake-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++) + ".sock";
    ::unlink(m_path.c_str());
    m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, m_path.c_str(), sizeof address.sun_path - 1);
    if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(m_listener, 16) != 0) {
        throw std::runtime_error("fake daemon: cannot listen on " + m_path);
    }
    m_thread = std::thread([this] { serve(); });
}

FakeDaemon::~FakeDaemon()
{
    m_stopping = true;
    m_thread.join();
    for (auto& worker : m_workers) {
        worker.join();
    }
    ::close(m_listener);
    ::unlink(m_path.c_str());
}

void FakeDaemon::serve()
{
    while (!m_stopping) {
        pollfd waiting{m_listener, POLLIN, 0};
        if (::poll(&waiting, 1, 20) <= 0) {
            continue;
        }
        const int connection = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (connection < 0) {
            continue;
        }
        m_workers.emplace_back([this, connection] {
            auto request = read_request(connection);
            {
                std::lock_guard lock(m_mutex);
                m_request_lines.push_back(request.substr(0, request.find("\r\n")));
            }
            m_script(connection, request, m_stopping);
            ::shutdown(connection, SHUT_RDWR);
            ::close(connection);
        });
    }
}

std::vector<std::string> FakeDaemon::request_lines() const
{
    std::lock_guard lock(m_mutex);
    return m_request_lines;
}

bool FakeDaemon::write_all(int socket, std::string_view bytes)
{
    while (!bytes.empty()) {
        const ssize_t sent = ::send(socket, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent <= 0) {
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

std::string FakeDaemon::frame(int stream, std::string_view payload)
{
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(stream);
    const auto size = static_cast<std::uint32_t>(payload.size());
    for (int index = 0; index < 4; ++index) {
        bytes[static_cast<std::size_t>(4 + index)] = static_cast<char>((size >> (24 - 8 * index)) & 0xFFU);
    }
    return bytes.append(payload);
}

std::string FakeDaemon::streaming_head(std::string_view content_type)
{
    return "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(content_type) + "\r\nConnection: close\r\n\r\n";
}

} // namespace medic::testing
