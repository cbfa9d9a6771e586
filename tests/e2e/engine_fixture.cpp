#include "engine_fixture.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/detached.hpp>
#include <fmt/format.h>

extern char** environ;

namespace medic::e2e {

using namespace std::chrono_literals;

std::string docker_host()
{
    const char* host = std::getenv("DOCKER_HOST");
    return host != nullptr && *host != '\0' ? host : "unix:///var/lib/medic-sandbox/docker.sock";
}

std::uint16_t free_loopback_port()
{
    const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(socket);
    return ntohs(address.sin_port);
}

int run_script(const std::string& command)
{
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ChildProcess::ChildProcess(std::vector<std::string> arguments, std::vector<std::string> extra_environment)
{
    static int counter = 0;
    m_output_path = fmt::format("/tmp/medic-e2e-child-{}-{}.log", ::getpid(), counter++);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, m_output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> argv;
    for (auto& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> environment_strings;
    for (char** variable = environ; *variable != nullptr; ++variable) {
        environment_strings.emplace_back(*variable);
    }
    for (auto& extra : extra_environment) {
        environment_strings.push_back(extra);
    }
    std::vector<char*> envp;
    for (auto& variable : environment_strings) {
        envp.push_back(variable.data());
    }
    envp.push_back(nullptr);
    if (posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
        m_pid = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
}

ChildProcess::~ChildProcess()
{
    if (m_pid > 0) {
        stop(SIGKILL, 5s);
    }
    ::unlink(m_output_path.c_str());
}

std::string ChildProcess::output() const
{
    std::ifstream file(m_output_path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

int ChildProcess::wait(std::chrono::milliseconds deadline)
{
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (m_pid > 0) {
        int status = 0;
        const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
        if (done == m_pid) {
            m_pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() > until) {
            return -1;
        }
        // Polling a child's exit: there is no descriptor to wait on before Linux 5.3's pidfd.
        ::usleep(10'000);
    }
    return -1;
}

int ChildProcess::stop(int signal, std::chrono::milliseconds deadline)
{
    if (m_pid <= 0) {
        return -1;
    }
    ::kill(m_pid, signal);
    return wait(deadline);
}

void EngineTest::SetUp()
{
    auto endpoint = docker::resolve_endpoint(docker_host(), docker::DockerEnvironment::from_process());
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    auto client = docker::DockerClient::create(m_io.get_executor(), *endpoint);
    ASSERT_TRUE(client) << client.error().message;
    m_client = std::move(*client);
    auto version = run(m_client->negotiate());
    ASSERT_TRUE(version) << "no Docker engine for the end-to-end tests: " << version.error().message
                         << " (run `make e2e`, which starts the sandbox engine)";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_run_label = fmt::format("{}-{}-{}", info->test_suite_name(), info->name(), ::getpid());
}

void EngineTest::TearDown()
{
    if (m_follower) {
        m_follower->stop();
        wait_until([this] { return m_follower_done; }, 5s);
    }
    if (!m_client) {
        return;
    }
    for (const auto& name : m_names) {
        (void)run(m_client->remove_container(name, docker::RemoveOptions{true, true}));
    }
}

bool EngineTest::wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline)
{
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        // Drives background coroutines; with none pending this returns at once, so
        // pace the polling of the condition instead of spinning.
        if (m_io.run_for(20ms) == 0) {
            m_io.restart();
            std::this_thread::sleep_for(20ms);
        }
    }
    return true;
}

std::string EngineTest::unique_name(const std::string& base)
{
    static int counter = 0;
    auto name = fmt::format("medic-e2e-{}-{}-{}", base, ::getpid(), counter++);
    m_names.push_back(name);
    return name;
}

docker::ContainerSpec EngineTest::tools(std::vector<std::string> command) const
{
    docker::ContainerSpec spec;
    spec.image = std::string(k_tools_image);
    spec.command = std::move(command);
    spec.labels = {{"medic.e2e", "true"}, {"medic.e2e.run", m_run_label}};
    return spec;
}

std::string EngineTest::start(const std::string& name, const docker::ContainerSpec& spec)
{
    auto id = run(m_client->create_container(name, spec));
    EXPECT_TRUE(id) << "create " << name << ": " << id.error().message;
    if (!id) {
        return {};
    }
    auto started = run(m_client->start_container(*id));
    EXPECT_TRUE(started) << "start " << name << ": " << started.error().message;
    return *id;
}

bool EngineTest::wait_until_healthy(const std::string& name, std::chrono::milliseconds deadline)
{
    return wait_until(
        [&] {
            auto details = run(m_client->inspect_container(name));
            return details && details->health && details->health->status == "healthy";
        },
        deadline);
}

docker::HealthcheckSpec EngineTest::web_healthcheck(std::int64_t interval_ns, int retries)
{
    return docker::HealthcheckSpec{
        {"CMD", "wget", "-q", "-O-", "http://127.0.0.1:8000/health"}, interval_ns, 2'000'000'000, 0, retries};
}

void EngineTest::follow_events(docker::EventOptions options, docker::ReconnectPolicy policy)
{
    auto endpoint = m_client->endpoint();
    m_event_client = std::move(*docker::DockerClient::create(m_io.get_executor(), endpoint));
    (void)run(m_event_client->negotiate());
    if (options.since.empty()) {
        // From now: events of actions that happen before the stream connects are replayed, not missed.
        options.since = docker::to_api_time(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
    }
    m_follower = std::make_unique<docker::EventFollower>(*m_event_client, std::move(options), policy);
    m_follower_done = false;
    boost::asio::co_spawn(
        m_io,
        [this]() -> boost::asio::awaitable<void> {
            for (;;) {
                auto event = co_await m_follower->next();
                if (!event || !*event) {
                    break;
                }
                m_events.push_back(std::move(**event));
            }
            m_follower_done = true;
        },
        boost::asio::detached);
}

std::optional<docker::Event> EngineTest::wait_for_event(const std::function<bool(const docker::Event&)>& predicate,
                                                        std::chrono::milliseconds deadline)
{
    std::optional<docker::Event> found;
    wait_until(
        [&] {
            for (const auto& event : m_events) {
                if (predicate(event)) {
                    found = event;
                    return true;
                }
            }
            return false;
        },
        deadline);
    return found;
}

} // namespace medic::e2e
