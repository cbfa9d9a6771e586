// stop_port_holder (host class, off by default): the port the container needs is
// held by another container, which is stopped, or by a host process, which gets SIGTERM.

#include <signal.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

namespace medic::heal {
namespace {

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

class StopPortHolder final : public Action {
public:
    std::string_view name() const override { return "stop_port_holder"; }
    Safety safety() const override { return Safety::host; }
    std::string_view summary() const override
    {
        return "stop the container, or terminate the host process, that holds the port the container needs";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto text = context_value(context, "port");
        unsigned port = 0;
        if (auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
            error != std::errc{} || port == 0 || port > 65535) {
            co_return not_applicable("the error names no port");
        }
        auto containers = co_await context.client.list_containers();
        if (containers) {
            for (const auto& summary : *containers) {
                if (summary.id == context.container.id || summary.state != "running") {
                    continue;
                }
                for (const auto& published : summary.ports) {
                    if (published.public_port != port) {
                        continue;
                    }
                    auto details = co_await context.client.inspect_container(summary.id);
                    if (details && is_medic_container(*details, context.options)) {
                        co_return failed("the port is held by medic itself");
                    }
                    auto stopped = co_await context.client.stop_container(summary.id, 10);
                    if (!stopped) {
                        co_return failed("could not stop " + summary.name() + ": " + stopped.error().message);
                    }
                    co_return acted(fmt::format("stopped container {} which held host port {}", summary.name(), port));
                }
            }
        }
        auto inode = listening_inode(static_cast<std::uint16_t>(port));
        auto pid = inode ? process_with_socket(*inode) : std::nullopt;
        if (!pid) {
            co_return failed(fmt::format("no container or visible host process holds port {}", port));
        }
        if (::kill(*pid, SIGTERM) != 0) {
            co_return failed(fmt::format("could not signal process {} holding port {}", *pid, port));
        }
        co_return acted(fmt::format("sent SIGTERM to host process {} which held port {}", *pid, port));
    }
};

} // namespace

std::unique_ptr<Action> make_stop_port_holder()
{
    return std::make_unique<StopPortHolder>();
}

} // namespace medic::heal
