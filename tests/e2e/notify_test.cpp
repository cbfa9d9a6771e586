// Notifications end to end: medic's watcher, engine and notifier (as `medic run` wires
// them) on the sandbox engine, a webhook receiver on 127.0.0.1. A service that keeps
// crashing on a bad config is restarted again and again by its restart policy; people
// hear of it once when it opens and once when medic gives up, not once per restart.

#include <boost/asio/detached.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "healing_fixture.hpp"
#include "notify/notifier.hpp"
#include "support/webhook_receiver.hpp"

namespace medic::e2e {
namespace {

using namespace std::chrono_literals;

TEST_F(HealingTest, ACrashLoopOnABadConfigIsToldOnceWhenItOpensAndOnceWhenMedicGivesUpNotPerRestart)
{
    testing::WebhookReceiver receiver(m_io, 0);
    boost::asio::co_spawn(m_io, testing::WebhookReceiver::serve(&receiver, {}, 100), boost::asio::detached);
    notify::NotifyOptions options;
    options.targets = {{fmt::format("http://127.0.0.1:{}/hook", receiver.port()), notify::Preset::generic}};
    notify::Notifier notifier(m_io.get_executor(), options, m_client.get());
    bool sending = true;
    boost::asio::co_spawn(m_io, notifier.run(), [&](std::exception_ptr) { sending = false; });
    m_store->set_observer([&](const store::Change& change) { notifier.on_change(change); });
    // However the test ends, the notifier is unhooked and stopped before it goes out of scope.
    struct Finally {
        std::function<void()> run;
        ~Finally() { run(); }
    } unhook{[&] {
        m_store->set_observer(nullptr);
        notifier.stop();
        EXPECT_TRUE(wait_until([&] { return !sending; }, 10s)) << "the notifier stops";
    }};

    start_medic();
    const auto name = unique_name("bad-config");
    auto spec =
        watched(std::string(k_tools_image), {"sh", "-c",
                                             "echo \"1:C 23 Jun 12:28:34.975 # Fatal error, can't open config file "
                                             "'/usr/local/etc/redis/redis.conf'\"; exit 1"});
    spec.restart_policy = "always";
    start(name, spec);

    // The restart policy restarts it, medic's crash-loop playbook tries, then ends the loop.
    ASSERT_TRUE(wait_until(
        [&] {
            auto details = run(m_client->inspect_container(name));
            return details && !details->running && !details->restarting;
        },
        90s))
        << "medic ends the crash loop";
    auto escalated = [&] {
        for (const auto& body : receiver.bodies) {
            const auto message = nlohmann::json::parse(body, nullptr, false);
            if (message.is_object() && message["event"] == "escalated") {
                return true;
            }
        }
        return false;
    };
    ASSERT_TRUE(wait_until(escalated, 20s)) << "people hear medic gave up; " << receiver.bodies.size() << " messages";
    std::int64_t config_findings = 0;
    m_store->findings({.page = {1, 500}, .type = std::string("CONFIG_ERROR"), .container = name}, &config_findings);
    EXPECT_GE(config_findings, 4) << "the bad config line at every start";

    std::map<std::pair<std::int64_t, std::string>, int> told;
    for (const auto& body : receiver.bodies) {
        const auto message = nlohmann::json::parse(body, nullptr, false);
        ASSERT_TRUE(message.is_object()) << body;
        EXPECT_EQ(message["incident"]["container"], name);
        ++told[{message["incident"]["id"].get<std::int64_t>(), message["event"].get<std::string>()}];
    }
    int config_messages = 0;
    for (const auto& [key, times] : told) {
        EXPECT_EQ(times, 1) << "incident " << key.first << " " << key.second << " told " << times << " times";
    }
    for (const auto& body : receiver.bodies) {
        config_messages += nlohmann::json::parse(body)["incident"]["type"] == "CONFIG_ERROR" ? 1 : 0;
    }
    EXPECT_LE(config_messages, 2) << "opened (and escalated) once, though the line came at every start";
    EXPECT_LE(receiver.bodies.size(), 4U) << "opened and escalated, for the config error and the crash loop at most";
    EXPECT_EQ(notifier.failed(), 0);
}

} // namespace
} // namespace medic::e2e
