// restart_docker_daemon (host class, off by default): the daemon itself is wedged.
// Runs the configured command (an argument vector, default systemctl restart docker)
// and waits until the daemon answers again.

#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "heal/actions/action_support.hpp"

extern char** environ;

namespace medic::heal {
namespace {

namespace asio = boost::asio;

class RestartDockerDaemon final : public Action {
public:
    std::string_view name() const override { return "restart_docker_daemon"; }
    Safety safety() const override { return Safety::host; }
    std::string_view summary() const override
    {
        return "run the configured daemon restart command, then wait until the daemon answers";
    }

    boost::asio::awaitable<ActionResult> run(ActionContext& context) const override
    {
        const auto& command = context.options.daemon_restart_command;
        if (command.empty()) {
            co_return not_applicable("no daemon restart command is configured");
        }
        std::vector<char*> arguments;
        for (const auto& argument : command) {
            arguments.push_back(const_cast<char*>(argument.c_str()));
        }
        arguments.push_back(nullptr);
        pid_t pid = 0;
        if (::posix_spawnp(&pid, arguments.front(), nullptr, nullptr, arguments.data(), environ) != 0) {
            co_return failed(fmt::format("cannot run {}", command.front()));
        }
        // Poll the child without blocking the io_context (the daemon may take a while).
        asio::steady_timer timer(co_await asio::this_coro::executor);
        int status = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
        while (::waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                co_return failed(fmt::format("{} did not finish within 3 minutes", fmt::join(command, " ")));
            }
            timer.expires_after(std::chrono::milliseconds(200));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            co_return failed(fmt::format("{} failed (status {})", fmt::join(command, " "), status));
        }
        const auto answer_deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
        while (!co_await context.client.ping()) {
            if (std::chrono::steady_clock::now() > answer_deadline) {
                co_return failed("the daemon did not answer within 2 minutes of the restart");
            }
            timer.expires_after(std::chrono::milliseconds(500));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        co_return acted(fmt::format("ran {}; the daemon answers again", fmt::join(command, " ")));
    }
};

} // namespace

std::unique_ptr<Action> make_restart_docker_daemon()
{
    return std::make_unique<RestartDockerDaemon>();
}

} // namespace medic::heal
