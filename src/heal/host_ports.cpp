#include "heal/host_ports.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace medic::heal {
namespace {

namespace asio = boost::asio;

/// The socket inode listening on TCP `port`, from /proc/net/tcp and tcp6.
std::optional<std::string> listening_inode(std::uint16_t port)
{
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line); // the header
        while (std::getline(file, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            const auto colon = local.rfind(':');
            if (state != "0A" || colon == std::string::npos) {
                continue; // 0A: LISTEN
            }
            unsigned local_port = 0;
            const auto hex = std::string_view(local).substr(colon + 1);
            auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), local_port, 16);
            if (error == std::errc{} && local_port == port) {
                return inode;
            }
        }
    }
    return std::nullopt;
}

/// The process holding socket `inode`, by its open file descriptors.
std::optional<int> process_with_socket(const std::string& inode)
{
    const auto wanted = "socket:[" + inode + "]";
    std::error_code error;
    for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
        const auto pid_text = process.path().filename().string();
        if (pid_text.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::error_code fd_error;
        for (const auto& descriptor : std::filesystem::directory_iterator(process.path() / "fd", fd_error)) {
            std::error_code link_error;
            if (std::filesystem::read_symlink(descriptor.path(), link_error).string() == wanted) {
                int pid = 0;
                std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
                return pid;
            }
        }
    }
    return std::nullopt;
}

} // namespace

bool port_bindable(const std::string& host_ip, std::uint16_t port)
{
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io);
    boost::system::error_code error;
    auto address = asio::ip::make_address(host_ip.empty() ? "0.0.0.0" : host_ip, error);
    if (error) {
        return false;
    }
    const asio::ip::tcp::endpoint endpoint(address, port);
    acceptor.open(endpoint.protocol(), error);
    if (!error) {
        acceptor.bind(endpoint, error);
    }
    return !error;
}

std::optional<HostProcess> port_holder_process(std::uint16_t port)
{
    const auto inode = listening_inode(port);
    const auto pid = inode ? process_with_socket(*inode) : std::nullopt;
    if (!pid) {
        return std::nullopt;
    }
    std::ifstream comm("/proc/" + std::to_string(*pid) + "/comm");
    std::string command;
    std::getline(comm, command);
    return HostProcess{*pid, command.empty() ? "?" : command};
}

} // namespace medic::heal
