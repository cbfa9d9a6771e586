// Diagnosis that generalises: the same causes as the healing scenarios, reached in other
// ways and told in other words (or in none): named volumes and bind mounts, modes 0700
// and 0755, the root of a volume and a sub-folder, an image that sets USER and one that
// drops root itself, restart: no, always and unless-stopped, images medic has no
// profile for. Each is healed with its data checked, or escalated with the
// examination's evidence where nothing safe repairs it; an attack is never "repaired".

#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "common/time_format.hpp"
#include "heal/examination.hpp"
#include "healing_fixture.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;
using classify::ErrorType;
using incident::IncidentState;

constexpr std::string_view k_redis = "medic-test/redis";
constexpr std::string_view k_postgres = "medic-test/postgres";
constexpr std::string_view k_web = "medic-test/web";

class GeneralisationTest : public HealingTest {
protected:
    /// A Redis on `mount` with `keys` keys, stopped cleanly; `spec` may carry a restart policy.
    std::string redis_with_keys(const std::string& base, const std::string& mount, int keys,
                                std::string restart_policy = "", std::vector<std::string> command = {})
    {
        const auto name = unique_name(base);
        auto spec = watched(std::string(k_redis), std::move(command));
        spec.binds = {mount + ":/data"};
        spec.restart_policy = std::move(restart_policy);
        start(name, spec);
        EXPECT_TRUE(wait_for_redis(name, 20s)) << name << " did not start";
        for (int key = 1; key <= keys; ++key) {
            EXPECT_EQ(exec(name, {"redis-cli", "set", fmt::format("key{}", key), "v"}), "OK\n");
        }
        EXPECT_TRUE(run(m_client->stop_container(name, 10)));
        return name;
    }

    int count_keys(const std::string& name)
    {
        const auto answer = exec(name, {"redis-cli", "dbsize"});
        return answer.empty() ? -1 : std::stoi(answer);
    }

    /// A busybox service with no profile: runs `script` as `user` ("" : the image's root).
    std::string app(const std::string& base, const std::string& user, const std::string& script,
                    std::vector<std::string> binds, std::string restart_policy)
    {
        const auto name = unique_name(base);
        auto spec = watched(std::string(k_tools_image), {"sh", "-c", script});
        spec.user = user;
        spec.binds = std::move(binds);
        spec.restart_policy = std::move(restart_policy);
        start(name, spec);
        return name;
    }

    /// True when the container has run for `stable` without a restart.
    bool stays_up(const std::string& name, std::chrono::milliseconds stable, std::chrono::milliseconds deadline)
    {
        std::string started;
        auto since = std::chrono::steady_clock::now();
        return wait_until(
            [&] {
                auto details = run(m_client->inspect_container(name));
                if (!details || !details->running) {
                    started.clear();
                    return false;
                }
                if (details->started_at != started) {
                    started = details->started_at;
                    since = std::chrono::steady_clock::now();
                }
                return std::chrono::steady_clock::now() - since >= stable;
            },
            deadline);
    }

    /// Whether the journal of `container` holds an action named `action`.
    bool journaled(const std::string& container, std::string_view action)
    {
        for (const auto& record : actions_on(container)) {
            if (record.action == action) {
                return true;
            }
        }
        return false;
    }

    /// The newest stored examination of a container, parsed.
    std::optional<heal::Examination> examination_of(const std::string& container)
    {
        auto record = m_store->latest_examination(container);
        if (!record) {
            return std::nullopt;
        }
        auto parsed = heal::examination_from_json(record->body);
        return parsed ? std::optional<heal::Examination>(std::move(*parsed)) : std::nullopt;
    }
};

/// GET `path` from 127.0.0.1:`port` within 2 s; the body, "" when nothing answered.
std::string http_get(std::uint16_t port, const std::string& path)
{
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    std::string answer;
    std::array<char, 4096> buffer{};
    std::function<void(boost::system::error_code, std::size_t)> on_read = [&](boost::system::error_code error,
                                                                              std::size_t size) {
        answer.append(buffer.data(), size);
        if (!error) {
            socket.async_read_some(asio::buffer(buffer), on_read);
        }
    };
    socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, [&](boost::system::error_code error) {
        if (!error) {
            asio::async_write(socket, asio::buffer(request), [&](boost::system::error_code written, std::size_t) {
                if (!written) {
                    socket.async_read_some(asio::buffer(buffer), on_read);
                }
            });
        }
    });
    io.run_for(std::chrono::seconds(2));
    const auto body = answer.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : answer.substr(body + 4);
}

bool contains(const std::vector<std::string>& lines, std::string_view text)
{
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

// ---- a volume its user cannot write ---------------------------------------------------------

TEST_F(GeneralisationTest, Redis70OnABindMountOwnedByRootWithMode0700ReadsTheConfigBlockAndIsChowned)
{
    const auto folder = root_owned_folder("gen-redis-0700");
    ::chown(folder.c_str(), 999, 999);
    const auto name = redis_with_keys("gen-redis-0700", folder, 12);
    ASSERT_EQ(run_tool(name, {"sh", "-c", "chown -R 0:0 /data && chmod 0700 /data"}), 0);
    start_medic();
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_for_redis(name, 15s));
    EXPECT_EQ(count_keys(name), 12) << "the keys written before are there";
    // Read as a whole: the block's header did not decide, its reason on the dir directive did.
    EXPECT_TRUE(contains(healed->evidence, "*** FATAL CONFIG FILE ERROR")) << "every line of the block is evidence";
    ASSERT_LT(healed->decided, healed->evidence.size());
    EXPECT_EQ(healed->evidence[healed->decided], "Permission denied");
    EXPECT_EQ(healed->context["path"], "/data");
    for (const auto& incident : incidents_of(name)) {
        EXPECT_NE(incident.type, ErrorType::config_error)
            << "the header is no incident of its own: " << incident.message;
    }
    struct stat info {};
    ASSERT_EQ(::stat(folder.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 999U);
    EXPECT_EQ(info.st_mode & 0777, 0700U) << "the mode is left as it was: the owner was the problem";
}

TEST_F(GeneralisationTest, RedisWhoseAppendOnlyDirAloneBelongsToRootOnANamedVolumeUnderRestartAlways)
{
    const auto volume = unique_volume("gen-redis-aofdir");
    const auto name = redis_with_keys("gen-redis-aofdir", volume, 9, "always");
    ASSERT_EQ(run_tool(name, {"sh", "-c", "chown -R 0:0 /data/appendonlydir && chmod 0700 /data/appendonlydir"}), 0);
    start_medic();
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_for_redis(name, 15s));
    EXPECT_EQ(count_keys(name), 9);
    const auto examination = examination_of(name);
    ASSERT_TRUE(examination) << "medic examined it before acting";
    bool named_the_sub_folder = false;
    for (const auto& check : examination->checks) {
        named_the_sub_folder = named_the_sub_folder ||
                               (check.outcome == heal::CheckOutcome::failed && check.subject == "/data/appendonlydir");
    }
    EXPECT_TRUE(named_the_sub_folder) << "the examination names the sub-folder, not /data";
}

TEST_F(GeneralisationTest, PostgresWhosePgWalBelongsToRootIsChownedUnderRestartUnlessStopped)
{
    start_medic();
    const auto name = unique_name("gen-pg-wal");
    auto spec = watched(std::string(k_postgres));
    spec.binds = {unique_volume("gen-pg-wal") + ":/var/lib/postgresql/data"};
    spec.restart_policy = "unless-stopped";
    start(name, spec);
    ASSERT_TRUE(wait_until([&] { return exec(name, {"pg_isready"}).find("accepting") != std::string::npos; }, 60s));
    ASSERT_FALSE(
        exec(name, {"psql", "-U", "postgres", "-c", "CREATE TABLE notes AS SELECT g FROM generate_series(1, 31) g"})
            .empty());
    ASSERT_TRUE(run(m_client->stop_container(name, 20)));
    ASSERT_EQ(run_tool(name, {"sh", "-c",
                              "chown -R 0:0 /var/lib/postgresql/data/pg_wal && chmod 0700 "
                              "/var/lib/postgresql/data/pg_wal"}),
              0);
    ASSERT_TRUE(run(m_client->start_container(name)));

    auto healed = wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    ASSERT_TRUE(wait_until([&] { return exec(name, {"pg_isready"}).find("accepting") != std::string::npos; }, 30s));
    EXPECT_EQ(exec(name, {"psql", "-U", "postgres", "-tAc", "SELECT count(*) FROM notes"}), "31\n");
}

TEST_F(GeneralisationTest, AnAppThatDropsRootItselfAndPrintsNothingUsefulIsHealedForTheUserItWasSeenRunningAs)
{
    // Starts as root, drops to app (2000:2000) with su, as an entrypoint with gosu does, then fails on its
    // volume without saying why.
    const auto volume = unique_volume("gen-drop");
    ASSERT_EQ(run_tool_on_volume(volume, {"sh", "-c", "echo kept > /data/seed && chown 0:0 /data && chmod 0755 /data"}),
              0);
    start_medic();
    const auto name = app("gen-drop", "",
                          "exec su app -s /bin/sh -c 'echo app: starting; sleep 2; "
                          "touch /data/state 2>/dev/null || { echo app: cannot start; exit 3; }; echo app: ready; "
                          "exec sleep 3600'",
                          {volume + ":/data"}, "always");

    ASSERT_TRUE(wait_until([&] { return journaled(name, "fix_volume_permissions"); }, 90s)) << "not repaired";
    EXPECT_TRUE(stays_up(name, 5s, 60s)) << "it runs after the repair";
    EXPECT_EQ(run_tool(name, {"sh", "-c",
                              "[ \"$(stat -c %u:%g /data)\" = 2000:2000 ] && [ -e /data/state ] && "
                              "[ \"$(cat /data/seed)\" = kept ]"}),
              0)
        << "owned by the user it was seen running as, its own file written, the seed still there";
    const auto examination = examination_of(name);
    ASSERT_TRUE(examination);
    EXPECT_EQ(examination->user.source, heal::ServiceUser::Source::observed) << examination->user.detail;
    EXPECT_EQ(examination->user.uid, 2000U);
}

TEST_F(GeneralisationTest, AGoAppWithItsOwnUserOnAVolumeItsImageNeverPreparedIsChownedToThatUser)
{
    const auto volume = unique_volume("gen-go");
    ASSERT_EQ(run_tool_on_volume(volume, {"sh", "-c", "echo kept > /data/seed"}), 0);
    start_medic();
    const auto name =
        app("gen-go", "1234:1234",
            "if ! touch /data/app.db 2>/dev/null; then echo 'panic: open /data/app.db: permission "
            "denied'; echo; echo 'goroutine 1 [running]:'; echo 'main.main()'; exit 2; fi; exec sleep 3600",
            {volume + ":/data"}, "always");

    auto healed = wait_for_incident(name, ErrorType::permission_denied, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(stays_up(name, 4s, 30s));
    EXPECT_EQ(healed->context["path"], "/data/app.db") << "the Go-style line names the file";
    EXPECT_EQ(
        run_tool(name, {"sh", "-c", "[ \"$(stat -c %u:%g /data)\" = 1234:1234 ] && [ \"$(cat /data/seed)\" = kept ]"}),
        0);
}

TEST_F(GeneralisationTest, AnAppThatPrintsNothingAtAllUnderRestartUnlessStoppedIsExaminedAndHealed)
{
    const auto volume = unique_volume("gen-silent");
    ASSERT_EQ(run_tool_on_volume(volume, {"sh", "-c", "echo kept > /data/seed && chmod 0755 /data"}), 0);
    start_medic();
    // A uid the image does not know: Docker runs it with group 0.
    const auto name = app("gen-silent", "4242", "touch /data/.ready 2>/dev/null || exit 1; exec sleep 3600",
                          {volume + ":/data"}, "unless-stopped");

    ASSERT_TRUE(wait_until([&] { return journaled(name, "fix_volume_permissions"); }, 90s))
        << "the examination found what the service never said";
    EXPECT_TRUE(stays_up(name, 4s, 30s));
    EXPECT_EQ(
        run_tool(name, {"sh", "-c", "[ \"$(stat -c %u:%g /data)\" = 4242:0 ] && [ \"$(cat /data/seed)\" = kept ]"}), 0);
    bool examined = false;
    for (const auto& incident : incidents_of(name)) {
        examined = examined || incident.rule == "check-mount-access";
    }
    EXPECT_TRUE(examined) << "the incident comes from the examination";
}

TEST_F(GeneralisationTest, AReadOnlyMountIsEscalatedWithTheExaminationsEvidenceAndNothingIsChowned)
{
    const auto folder = root_owned_folder("gen-ro");
    start_medic();
    const auto name =
        app("gen-ro", "1234:1234", "touch /data/state || exit 1; exec sleep 3600", {folder + ":/data:ro"}, "always");

    std::optional<incident::Incident> escalated;
    ASSERT_TRUE(wait_until(
        [&] {
            for (const auto& incident : incidents_of(name)) {
                if (incident.state == IncidentState::escalated &&
                    incident.note.find("read-only") != std::string::npos) {
                    escalated = incident;
                    return true;
                }
            }
            return false;
        },
        90s))
        << "not escalated with the evidence";
    EXPECT_NE(escalated->note.find("/data is mounted read-only"), std::string::npos) << escalated->note;
    EXPECT_FALSE(journaled(name, "fix_volume_permissions")) << "no chown can help a read-only mount";
    struct stat info {};
    ASSERT_EQ(::stat(folder.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 0U) << "the folder is left as it was";
}

// ---- a host port held -----------------------------------------------------------------------

class PortHeldByThisProcess {
public:
    PortHeldByThisProcess() : m_acceptor(m_io)
    {
        const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
        m_acceptor.open(endpoint.protocol());
        m_acceptor.bind(endpoint);
        m_acceptor.listen();
    }
    std::uint16_t port() const { return m_acceptor.local_endpoint().port(); }

private:
    boost::asio::io_context m_io;
    boost::asio::ip::tcp::acceptor m_acceptor;
};

TEST_F(GeneralisationTest, AHostProcessHoldingThePortIsNamedAndAnAppWithoutAProfileMovesToAFreePort)
{
    PortHeldByThisProcess holder;
    start_medic();
    const auto name = unique_name("gen-port-host");
    auto spec = watched(std::string(k_tools_image), {"sh", "-c", "exec sleep 3600"});
    spec.ports = {docker::PortBinding{8080, "tcp", "127.0.0.1", holder.port()}};
    auto id = run(m_client->create_container(name, spec));
    ASSERT_TRUE(id);
    ASSERT_FALSE(run(m_client->start_container(*id))) << "the port is held";

    auto healed = wait_for_incident(name, ErrorType::port_conflict, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details && details->running);
    ASSERT_EQ(details->ports.size(), 1U);
    EXPECT_NE(details->ports.front().public_port, holder.port());
    const auto examination = examination_of(name);
    ASSERT_TRUE(examination);
    bool named = false;
    for (const auto& check : examination->checks) {
        named = named || (check.kind == heal::CheckKind::host_port &&
                          check.evidence.find(fmt::format("held by host process {}", ::getpid())) != std::string::npos);
    }
    EXPECT_TRUE(named) << "the examination names the process that holds it";
}

TEST_F(GeneralisationTest, ARedisWhosePortAHostProcessHoldsUnderRestartAlwaysMovesWithinItsProfilesRange)
{
    PortHeldByThisProcess holder;
    const auto volume = unique_volume("gen-port-redis");
    start_medic();
    const auto name = unique_name("gen-port-redis");
    auto spec = watched(std::string(k_redis));
    spec.binds = {volume + ":/data"};
    spec.restart_policy = "always";
    spec.ports = {docker::PortBinding{6379, "tcp", "127.0.0.1", holder.port()}};
    auto id = run(m_client->create_container(name, spec));
    ASSERT_TRUE(id);
    ASSERT_FALSE(run(m_client->start_container(*id)));

    auto healed = wait_for_incident(name, ErrorType::port_conflict, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(wait_for_redis(name, 15s));
    auto details = run(m_client->inspect_container(name));
    ASSERT_TRUE(details && details->ports.size() == 1U);
    EXPECT_GE(details->ports.front().public_port, 6380);
    EXPECT_LE(details->ports.front().public_port, 6390);
}

// ---- a mount source that is gone -------------------------------------------------------------

TEST_F(GeneralisationTest, AMissingNestedBindSourceUnderRestartUnlessStoppedIsCreatedForAServiceThatSaysNothing)
{
    const auto base = root_owned_folder("gen-source");
    const auto folder = base + "/disk/data";
    std::filesystem::create_directories(folder);
    const auto name = unique_name("gen-source");
    auto spec = watched(
        std::string(k_tools_image),
        {"sh", "-c", "rm -f /tmp/crash; trap 'exit 0' TERM; while [ ! -e /tmp/crash ]; do sleep 0.2; done; exit 7"});
    spec.mounts = {docker::MountSpec{"bind", folder, "/srv/data", false}};
    spec.restart_policy = "unless-stopped";
    start(name, spec);
    start_medic();
    std::filesystem::remove_all(base + "/disk"); // the disk is not mounted any more: parent and folder gone
    exec(name, {"touch", "/tmp/crash"});

    auto healed = wait_for_incident(name, ErrorType::volume_mount_error, IncidentState::resolved, 60s);
    ASSERT_TRUE(healed) << "not healed";
    EXPECT_TRUE(std::filesystem::is_directory(folder));
    EXPECT_TRUE(stays_up(name, 3s, 30s));
}

// ---- a network namespace that went away ------------------------------------------------------

TEST_F(GeneralisationTest, AnAppInAVpnContainersNetworkRejoinsAfterThatContainerIsRestarted)
{
    const auto port = free_loopback_port();
    const auto vpn = unique_name("gen-vpn");
    auto vpn_spec = watched(std::string(k_tools_image), {"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"});
    vpn_spec.ports = {docker::PortBinding{8000, "tcp", "127.0.0.1", port}};
    start(vpn, vpn_spec);
    const auto app_name = unique_name("gen-vpn-app");
    auto app_spec = watched(std::string(k_web));
    app_spec.environment = {"WEB_QUIET=1"};
    app_spec.network_mode = "container:" + vpn;
    start(app_name, app_spec);
    auto answers = [&] { return http_get(port, "/health").starts_with("ok"); };
    ASSERT_TRUE(wait_until(answers, 20s)) << "the app answers through the VPN container";
    start_medic();
    ASSERT_TRUE(run(m_client->restart_container(vpn, 5))); // a person restarts the VPN container

    ASSERT_TRUE(wait_until(answers, 60s)) << "the app rejoined the VPN container's new namespace";
    EXPECT_TRUE(journaled(app_name, "restart_container"));
    const auto examination = examination_of(app_name);
    ASSERT_TRUE(examination);
    bool stale = false;
    for (const auto& check : examination->checks) {
        stale =
            stale || (check.kind == heal::CheckKind::network_namespace && check.outcome == heal::CheckOutcome::failed);
    }
    EXPECT_TRUE(stale) << "the examination saw the stale namespace";
}

// ---- signs of an attack are not repaired -------------------------------------------------------

TEST_F(GeneralisationTest, ARedisToldToSaveIntoEtcIsASuspectedCompromiseEscalatedAtOnceWithNothingChowned)
{
    const auto volume = unique_volume("gen-attack");
    // An unprotected Redis (what Redis 6 and older are by default).
    const auto name = unique_name("gen-attack");
    auto spec = watched(std::string(k_redis), {"redis-server", "--dir", "/data", "--enable-protected-configs", "yes"});
    spec.binds = {volume + ":/data"};
    start(name, spec);
    ASSERT_TRUE(wait_for_redis(name, 20s));
    start_medic();
    // The known attack: point dir at a folder the system trusts, then save.
    ASSERT_EQ(exec(name, {"redis-cli", "config", "set", "dir", "/etc"}), "OK\n");
    exec(name, {"redis-cli", "bgsave"});

    auto compromise = wait_for_incident(name, ErrorType::suspected_compromise, IncidentState::escalated, 45s);
    ASSERT_TRUE(compromise) << "not told";
    EXPECT_EQ(compromise->severity, classify::Severity::critical);
    EXPECT_NE(compromise->note.find("repairs nothing"), std::string::npos) << compromise->note;
    EXPECT_TRUE(actions_on(name).empty()) << "nothing chowned, nothing restarted";
    EXPECT_EQ(run_tool(name, {"sh", "-c", "[ \"$(stat -c %u /data)\" = 999 ]"}), 0);
}

TEST_F(GeneralisationTest, ADataFolderWhoseOwnerChangedWhileRedisRanIsNotChownedBack)
{
    const auto volume = unique_volume("gen-owner-changed");
    const auto name = unique_name("gen-owner-changed");
    auto spec = watched(std::string(k_redis));
    spec.binds = {volume + ":/data"};
    spec.labels["medic.probe.interval"] = "1s";
    start(name, spec);
    ASSERT_TRUE(wait_for_redis(name, 20s));
    ASSERT_EQ(exec(name, {"redis-cli", "set", "kept", "yes"}), "OK\n");
    start_medic();
    start_probes();
    // Minutes into its run, the data folder changes hands under it.
    ASSERT_TRUE(wait_until(
        [&] {
            auto details = run(m_client->inspect_container(name));
            auto started = details ? parse_rfc3339(details->started_at) : std::nullopt;
            return started && std::chrono::system_clock::now() - *started > 6s;
        },
        20s));
    ASSERT_EQ(run_tool(name, {"sh", "-c", "chown -R 4321:4321 /data && chmod 0700 /data"}), 0);
    exec(name, {"redis-cli", "bgsave"});

    auto compromise = wait_for_incident(name, ErrorType::suspected_compromise, IncidentState::escalated, 60s);
    ASSERT_TRUE(compromise) << "not told";
    EXPECT_NE(compromise->note.find("while the service ran"), std::string::npos) << compromise->note;
    EXPECT_FALSE(journaled(name, "fix_redis_permissions")) << "the owner change is not undone";
    EXPECT_EQ(run_tool(name, {"sh", "-c", "[ \"$(stat -c %u /data)\" = 4321 ]"}), 0);
}

} // namespace
} // namespace medic::e2e
