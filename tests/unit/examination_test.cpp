// The examination's pure parts: which paths are walked, what the helper's answers mean
// for the service's user, who that user is, and what the engine does with the facts.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "classify/attack_location.hpp"
#include "docker/json_codec.hpp"
#include "heal/examination_decision.hpp"
#include "heal/examine/checks.hpp"
#include "incident/incident_tracker.hpp"
#include "store/store.hpp"

namespace medic::heal {
namespace {

using classify::ErrorType;

docker::ContainerDetails container_with(std::vector<docker::MountInfo> mounts, std::vector<std::string> command = {},
                                        std::string image = "app:1")
{
    docker::ContainerDetails container;
    container.id = std::string(64, 'c');
    container.name = "app";
    container.image = std::move(image);
    container.mounts = std::move(mounts);
    container.command = std::move(command);
    container.started_at = "2026-12-06T10:00:00Z";
    return container;
}

docker::MountInfo volume(std::string destination, bool read_write = true)
{
    return {"volume", "data", "/var/lib/docker/volumes/data/_data", std::move(destination), read_write};
}

/// A helper line for a path: owner, mode (with the type bits), ctime and what the user may do.
std::string path_line(const std::string& path, unsigned uid, unsigned gid, unsigned mode, std::string access,
                      std::int64_t changed = 1733479000)
{
    return fmt::format("path\t{}\t{}\t{} {} {:x} {}\n", path, access, uid, gid, mode, changed);
}

ServiceUser user(unsigned uid, unsigned gid)
{
    return ServiceUser{uid, gid, {}, ServiceUser::Source::config, fmt::format("Config.User {}:{}", uid, gid)};
}

TEST(MountTargets, RedisWalksItsDirAndAppendOnlyDirAndTheNamedPaths)
{
    auto container = container_with({volume("/data"),
                                     {"bind", "", "/srv/conf", "/etc/redis", false},
                                     {"bind", "", "/var/run/docker.sock", "/var/run/docker.sock", true}},
                                    {"redis-server", "--dir", "/data/redis"}, "redis:7");
    const auto targets = mount_targets(container, Profile::redis, {"appendonlydir/appendonly.aof.1.incr.aof"});
    std::vector<std::string> paths;
    for (const auto& target : targets) {
        paths.push_back(target.path + (target.write ? " w" : " r"));
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"/data/redis/appendonlydir/appendonly.aof.1.incr.aof w", "/data/redis w",
                                               "/data/redis/appendonlydir w", "/data w", "/etc/redis r"}))
        << "the socket is no data; a read-only config mount is only read";
    const auto arguments = helper_arguments(targets);
    EXPECT_EQ(arguments.front(), "mount:/data");
    EXPECT_NE(std::find(arguments.begin(), arguments.end(), "/data/redis"), arguments.end())
        << "every folder between the mount point and a target is walked";
}

TEST(JudgeMounts, RootOwnedMode0700IsASearchTheUserCannotMake)
{
    auto container = container_with({volume("/data")});
    const auto targets = mount_targets(container, Profile::generic, {});
    const auto report = read_helper_report("mount\t/data\t4096 1000000 500000 65536 60000\trw\n" +
                                           path_line("/data", 0, 0, 040700, "-"));
    const auto checks = judge_mounts(container, user(999, 999), targets, report, {}, 0);
    ASSERT_FALSE(checks.empty());
    const auto& access = checks.front();
    EXPECT_EQ(access.kind, CheckKind::mount_access);
    EXPECT_EQ(access.outcome, CheckOutcome::failed);
    EXPECT_EQ(access.evidence, "uid 999 (gid 999) cannot search /data: owner 0:0, mode 0700");
    ASSERT_TRUE(access.finding);
    EXPECT_EQ(access.finding->type, ErrorType::permission_denied);
    EXPECT_EQ(access.finding->check, "check-mount-access");
    EXPECT_EQ(access.finding->context.at("owner"), "999:999");
    EXPECT_EQ(access.finding->context.at("current_owner"), "0:0");
    // The file system itself is fine: blocks and inodes left.
    ASSERT_EQ(checks.size(), 3U);
    EXPECT_EQ(checks[1].kind, CheckKind::mount_space);
    EXPECT_EQ(checks[1].outcome, CheckOutcome::passed);
    EXPECT_EQ(checks[2].kind, CheckKind::mount_inodes);
    EXPECT_EQ(checks[2].outcome, CheckOutcome::passed);
}

TEST(JudgeMounts, ASubFolderOwnedByRootIsNamedNotItsParent)
{
    auto container = container_with({volume("/data")}, {"redis-server", "--dir", "/data"}, "redis:7");
    const auto targets = mount_targets(container, Profile::redis, {});
    const auto report = read_helper_report(path_line("/data", 999, 999, 040755, "rwx") +
                                           path_line("/data/appendonlydir", 0, 0, 040755, "rx"));
    const auto checks = judge_mounts(container, user(999, 999), targets, report, {}, 0);
    std::vector<std::string> failed;
    for (const auto& check : checks) {
        if (check.outcome == CheckOutcome::failed) {
            failed.push_back(check.evidence);
        }
    }
    EXPECT_EQ(failed,
              (std::vector<std::string>{"uid 999 (gid 999) cannot write /data/appendonlydir: owner 0:0, mode 0755"}));
}

TEST(JudgeMounts, AFolderThatDoesNotExistYetPassesWhenItsParentIsWritable)
{
    auto container = container_with({volume("/var/lib/postgresql/data")});
    container.environment = {"PGDATA=/var/lib/postgresql/data"};
    const auto targets = mount_targets(container, Profile::postgres, {});
    auto report = read_helper_report(path_line("/var/lib/postgresql/data", 999, 999, 040700, "rwx") +
                                     "path\t/var/lib/postgresql/data/pg_wal\t-\terror No such file or directory\n");
    for (const auto& check : judge_mounts(container, user(999, 999), targets, report, {}, 0)) {
        EXPECT_NE(check.outcome, CheckOutcome::failed) << check.evidence;
    }
    // Owned by root, the same missing folder cannot be created.
    report = read_helper_report(path_line("/var/lib/postgresql/data", 0, 0, 040755, "rx") +
                                "path\t/var/lib/postgresql/data/pg_wal\t-\terror No such file or directory\n");
    const auto checks = judge_mounts(container, user(999, 999), targets, report, {}, 0);
    ASSERT_FALSE(checks.empty());
    EXPECT_EQ(checks.front().outcome, CheckOutcome::failed);
    EXPECT_EQ(checks.front().subject, "/var/lib/postgresql/data");
}

TEST(JudgeMounts, ReadOnlyFullAndInodeLessMountsAreTheirOwnFindings)
{
    auto container = container_with({volume("/data", false), volume("/cache"), {"tmpfs", "", "", "/tmp/work", true}});
    const auto targets = mount_targets(container, Profile::generic, {"/data/state.json"});
    const auto report = read_helper_report("mount\t/data\t4096 100 50 100 50\tro\n"
                                           "mount\t/cache\t4096 262144 10 65536 30000\trw\n"
                                           "mount\t/tmp/work\t4096 256 200 1000 0\trw\n" +
                                           path_line("/data", 1000, 1000, 040755, "rx") +
                                           path_line("/cache", 1000, 1000, 040755, "rwx") +
                                           path_line("/tmp/work", 0, 0, 041777, "rwx"));
    const auto checks = judge_mounts(container, user(1000, 1000), targets, report, {}, 0);
    auto failed = [&](CheckKind kind, const std::string& subject) -> const Check* {
        for (const auto& check : checks) {
            if (check.kind == kind && check.subject == subject && check.outcome == CheckOutcome::failed) {
                return &check;
            }
        }
        return nullptr;
    };
    const auto* read_only = failed(CheckKind::mount_read_only, "/data");
    ASSERT_NE(read_only, nullptr) << "the service writes a path it named on a read-only mount";
    EXPECT_EQ(read_only->finding->type, ErrorType::volume_mount_error);
    EXPECT_FALSE(read_only->finding->healable);
    const auto* full = failed(CheckKind::mount_space, "/cache");
    ASSERT_NE(full, nullptr) << "40 KiB free of 1 GiB";
    EXPECT_EQ(full->finding->check, "check-volume-space") << "a volume sits on Docker's data root";
    const auto* inodes = failed(CheckKind::mount_inodes, "/tmp/work");
    ASSERT_NE(inodes, nullptr);
    EXPECT_EQ(inodes->finding->check, "check-mount-inodes") << "a tmpfs is not Docker's disk";
    EXPECT_EQ(failed(CheckKind::mount_space, "/tmp/work"), nullptr) << "blocks and inodes are separate";
}

TEST(JudgeMounts, AnOwnerChangedWhileTheServiceRanIsASuspectedCompromise)
{
    auto container = container_with({volume("/data")});
    const auto targets = mount_targets(container, Profile::generic, {});
    const std::int64_t started_ms = 1'733'470'000'000;
    const std::vector<RunWindow> runs{{started_ms, 0}};
    // Changed an hour into the run, to another user: not what a deployment does.
    auto report = read_helper_report(path_line("/data", 4321, 4321, 040700, "-", started_ms / 1000 + 3600));
    auto checks = judge_mounts(container, user(999, 999), targets, report, runs, started_ms + 7'200'000);
    ASSERT_TRUE(checks.front().finding);
    EXPECT_EQ(checks.front().finding->type, ErrorType::suspected_compromise);
    EXPECT_NE(checks.front().evidence.find("while the service ran"), std::string::npos) << checks.front().evidence;
    // Changed before this run started (the container was stopped): an ordinary mistake, repaired.
    report = read_helper_report(path_line("/data", 0, 0, 040700, "-", started_ms / 1000 - 60));
    checks = judge_mounts(container, user(999, 999), targets, report, runs, started_ms + 7'200'000);
    ASSERT_TRUE(checks.front().finding);
    EXPECT_EQ(checks.front().finding->type, ErrorType::permission_denied);
}

TEST(HelperReport, UnreadableLinesAreSkipped)
{
    const auto report = read_helper_report("garbage\npath\t/x\n\x01\x02\npath\t/data\trwx\t999 999 41ed 17\n"
                                           "mount\t/data\t- - - - -\trw\n");
    EXPECT_EQ(report.paths.size(), 1U);
    EXPECT_TRUE(report.paths.at("/data").is_directory());
    EXPECT_FALSE(report.mounts.at("/data").known);
}

TEST(ServiceUserFromProcesses, TheProcessThatDroppedRootIsTheService)
{
    docker::ProcessList processes{{"PID", "UID", "GID", "SUPGID", "COMMAND"},
                                  {{"100", "0", "0", "-", "tini"}, {"120", "2000", "2000", "2000,3000", "app"}}};
    const auto user = user_from_processes(processes);
    ASSERT_TRUE(user);
    EXPECT_EQ(user->uid, 2000U);
    EXPECT_EQ(user->gid, 2000U);
    EXPECT_EQ(user->groups, (std::vector<unsigned>{3000}));
    EXPECT_EQ(user->command, "app");
    processes.processes = {{"100", "0", "0", "-", "sh"}};
    EXPECT_EQ(user_from_processes(processes)->uid, 0U) << "all root: root";
    EXPECT_FALSE(user_from_processes(docker::ProcessList{{"PID", "CMD"}, {{"1", "x"}}})) << "no UID column";
}

TEST(AttackLocation, RedisSavingIntoSystemFoldersIsAnAttackNotAPermissionProblem)
{
    EXPECT_TRUE(classify::attack_location("/root/.ssh", "authorized_keys"));
    EXPECT_TRUE(classify::attack_location("/etc/cron.d", ""));
    EXPECT_TRUE(classify::attack_location("/var/spool/cron/crontabs", "root"));
    EXPECT_TRUE(classify::attack_location("/home/deploy/.ssh", ""));
    EXPECT_TRUE(classify::attack_location("", "authorized_keys"));
    EXPECT_FALSE(classify::attack_location("/data", "dump.rdb"));
    EXPECT_FALSE(classify::attack_location("/var/lib/redis", "dump.rdb"));
    EXPECT_FALSE(classify::attack_location("/etcetera", "x")) << "a prefix is not a folder";

    auto classifier = classify::Classifier::create_embedded();
    ASSERT_TRUE(classifier);
    auto finding = classifier->classify("27:C 01 Jan 2026 00:00:00.000 # Failed opening the temp RDB file temp-27.rdb "
                                        "(in server root dir /etc/cron.d) for saving: Permission denied");
    ASSERT_TRUE(finding);
    EXPECT_TRUE(classify::screen_for_attack(*finding));
    EXPECT_EQ(finding->type, ErrorType::suspected_compromise);
    EXPECT_EQ(finding->severity, classify::Severity::critical);
    auto ordinary = classifier->classify("27:C 01 Jan 2026 00:00:00.000 # Failed opening the RDB file dump.rdb (in "
                                         "server root dir /data) for saving: Permission denied");
    ASSERT_TRUE(ordinary);
    EXPECT_FALSE(classify::screen_for_attack(*ordinary));
    auto config = classifier->classify("1:C 03 Jul 2023 13:23:26.982 # Fatal error, can't open config file "
                                       "'/etc/redis/redis.conf': Permission denied");
    ASSERT_TRUE(config);
    EXPECT_FALSE(classify::screen_for_attack(*config)) << "reading its config from /etc is no attack";
}

TEST(ExaminationJson, RoundTripsChecksFindingsAndUser)
{
    Examination examination;
    examination.container_id = "abc";
    examination.container_name = "cache";
    examination.examined_at = 42;
    examination.reason = ExaminationReason::exited_again;
    examination.user = user(999, 999);
    Check check;
    check.kind = CheckKind::mount_access;
    check.outcome = CheckOutcome::failed;
    check.subject = "/data";
    check.evidence = "uid 999 cannot search /data";
    check.finding =
        check_finding(ErrorType::permission_denied, "check-mount-access", check.evidence, {{"path", "/data"}}, true);
    examination.checks.push_back(check);
    const auto back = examination_from_json(to_json(examination));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->container_name, "cache");
    EXPECT_EQ(back->reason, ExaminationReason::exited_again);
    EXPECT_EQ(back->user.uid, 999U);
    EXPECT_EQ(back->user.source, ServiceUser::Source::config);
    ASSERT_EQ(back->checks.size(), 1U);
    EXPECT_EQ(back->checks[0].outcome, CheckOutcome::failed);
    ASSERT_TRUE(back->checks[0].finding);
    EXPECT_EQ(back->checks[0].finding->check, "check-mount-access");
    EXPECT_EQ(back->checks[0].finding->context.at("path"), "/data");
    EXPECT_FALSE(examination_from_json("[1,2]"));
    EXPECT_FALSE(examination_from_json("{\"checks\": 3, \"user\": \"x\"}")->checks.size());
}

class ExaminationDecisionTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto loaded = PlaybookCatalog::load_embedded();
        ASSERT_TRUE(loaded) << loaded.error().message;
        m_playbooks = std::move(*loaded);
    }

    static Examination with(std::vector<classify::Finding> findings)
    {
        Examination examination;
        for (auto& finding : findings) {
            Check check;
            check.kind = CheckKind::mount_access;
            check.outcome = CheckOutcome::failed;
            check.evidence = finding.text;
            check.finding = std::move(finding);
            examination.checks.push_back(std::move(check));
        }
        return examination;
    }

    static incident::Incident incident_of(ErrorType type, classify::RuleRole role, std::string rule = "")
    {
        incident::Incident incident;
        incident.id = 7;
        incident.container_id = "c";
        incident.type = type;
        incident.role = role;
        incident.rule = std::move(rule);
        return incident;
    }

    ExaminationDecision decide(const incident::Incident& incident, const Examination& examination)
    {
        const auto* playbook = m_playbooks.find(incident.type, Profile::generic, incident.rule);
        return decide_after_examination(incident, playbook, examination, m_playbooks, Profile::generic);
    }

    PlaybookCatalog m_playbooks;
};

TEST_F(ExaminationDecisionTest, ACrashLoopWhoseMountIsNotWritableHealsThePermissionsInstead)
{
    const auto examination = with({check_finding(ErrorType::permission_denied, "check-mount-access",
                                                 "uid 1234 cannot write /data", {{"path", "/data"}}, true)});
    const auto decision = decide(incident_of(ErrorType::crash_loop, classify::RuleRole::symptom), examination);
    EXPECT_EQ(decision.next, AfterExamination::heal_cause);
    ASSERT_EQ(decision.findings.size(), 1U);
    EXPECT_EQ(decision.findings[0].type, ErrorType::permission_denied);
}

TEST_F(ExaminationDecisionTest, AHeaderWithoutARepairIsHealedByTheFactsOrEscalatedWithThem)
{
    const auto header = incident_of(ErrorType::config_error, classify::RuleRole::header, "redis-config-file-error");
    auto decision = decide(header, with({check_finding(ErrorType::permission_denied, "check-mount-access",
                                                       "uid 999 cannot search /data", {}, true)}));
    EXPECT_EQ(decision.next, AfterExamination::heal_cause);
    decision = decide(header, with({check_finding(ErrorType::volume_mount_error, "check-mount-read-only",
                                                  "/data is mounted read-only", {}, false)}));
    EXPECT_EQ(decision.next, AfterExamination::escalate) << "nothing safe repairs a read-only mount";
    EXPECT_NE(decision.note.find("/data is mounted read-only"), std::string::npos) << decision.note;
    EXPECT_NE(decision.note.find("Remove :ro"), std::string::npos) << "with the advice: " << decision.note;
    decision = decide(header, with({}));
    EXPECT_EQ(decision.next, AfterExamination::proceed) << "nothing found: its own (empty) playbook escalates";
}

TEST_F(ExaminationDecisionTest, ACauseTheServiceNamedGoesOnAndTheFactsBecomeItsEvidence)
{
    const auto incident =
        incident_of(ErrorType::permission_denied, classify::RuleRole::cause, "redis-aof-permission-denied");
    const auto decision =
        decide(incident, with({check_finding(ErrorType::permission_denied, "check-mount-access",
                                             "uid 999 cannot write "
                                             "/data/appendonlydir",
                                             {}, true),
                               check_finding(ErrorType::port_conflict, "check-host-port", "6379 is held", {}, true)}));
    EXPECT_EQ(decision.next, AfterExamination::proceed);
    ASSERT_EQ(decision.findings.size(), 1U) << "only the facts of its own kind join it";
    EXPECT_EQ(decision.findings[0].check, "check-mount-access");
}

TEST_F(ExaminationDecisionTest, ASuspectedCompromiseStopsEverything)
{
    const auto decision =
        decide(incident_of(ErrorType::permission_denied, classify::RuleRole::cause),
               with({check_finding(ErrorType::permission_denied, "check-mount-access", "x", {}, true),
                     check_finding(ErrorType::suspected_compromise, "check-owner-changed-while-running",
                                   "changed while it ran", {}, false)}));
    EXPECT_EQ(decision.next, AfterExamination::compromise);
    EXPECT_EQ(decision.findings.front().type, ErrorType::suspected_compromise);
    EXPECT_FALSE(wants_examination(incident_of(ErrorType::suspected_compromise, classify::RuleRole::cause), nullptr));
}

TEST(IncidentEvidence, ACauseJoiningASymptomDecidesAndEveryLineIsKept)
{
    auto store = store::Store::open(":memory:");
    incident::IncidentTracker tracker(*store);
    classify::Finding symptom;
    symptom.type = ErrorType::permission_denied;
    symptom.role = classify::RuleRole::header;
    symptom.text = "*** FATAL CONFIG FILE ERROR ***";
    auto incident = tracker.on_finding({"c", "cache"}, symptom, classify::Channel::log, 1, 1);
    EXPECT_EQ(incident.evidence, (std::vector<std::string>{"*** FATAL CONFIG FILE ERROR ***"}));
    auto cause = check_finding(ErrorType::permission_denied, "check-mount-access", "uid 999 cannot search /data",
                               {{"path", "/data"}}, true);
    incident = tracker.on_finding({"c", "cache"}, cause, classify::Channel::examination, 2, 2);
    EXPECT_EQ(incident.count, 2);
    EXPECT_EQ(incident.role, classify::RuleRole::cause);
    ASSERT_EQ(incident.evidence.size(), 2U);
    EXPECT_EQ(incident.evidence[incident.decided], "uid 999 cannot search /data");
    EXPECT_EQ(incident.context.at("path"), "/data");
    incident = tracker.on_finding({"c", "cache"}, cause, classify::Channel::examination, 3, 3);
    EXPECT_EQ(incident.evidence.size(), 2U) << "the same fact again adds nothing";
    const auto stored = store->incident_by_id(incident.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->evidence, incident.evidence);
    EXPECT_EQ(stored->decided, incident.decided);
    EXPECT_EQ(stored->role, classify::RuleRole::cause);
}

TEST(IncidentEvidence, ASuspectedCompromiseIsNotResolvedByAHealthyContainer)
{
    auto store = store::Store::open(":memory:");
    incident::IncidentTracker tracker(*store);
    auto finding =
        check_finding(ErrorType::suspected_compromise, "check-data-location", "dir is /root/.ssh", {}, false);
    tracker.on_finding({"c", "cache"}, finding, classify::Channel::examination, 1, 1);
    EXPECT_TRUE(tracker.on_healthy({"c", "cache"}, 2).empty()) << "a person resolves it";
    EXPECT_TRUE(tracker.resolve_container({"c", "cache"}, 3, "healed").empty());
    EXPECT_TRUE(tracker.tracked("c", ErrorType::suspected_compromise));
}

} // namespace
} // namespace medic::heal
