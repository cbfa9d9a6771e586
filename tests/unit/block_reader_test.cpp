// Crash reading: multi-line errors read as one block, the cause beating the symptom
// and the header, on blocks as programs print them and as users pasted them.

#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "classify/block_reader.hpp"
#include "unit/embedded_classifier.hpp"

namespace medic::classify {
namespace {

std::optional<BlockFinding> read_crash(std::string_view text, std::optional<Channel> channel = Channel::log)
{
    BlockReader reader(embedded(), channel);
    return decide_run(reader.read_all(text));
}

TEST(CrashReading, RedisConfigBlockIsPermissionDeniedOnTheDirectivesPath)
{
    // Redis 7.0 on a data folder owned by root with mode 0700, exactly as it prints it.
    const auto reading = read_crash("\n"
                                    "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                                    "Reading the configuration file, at line 3\n"
                                    ">>> 'dir \"/data\"'\n"
                                    "Permission denied\n");
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(reading->finding.context.at("path"), "/data");
    EXPECT_EQ(reading->finding.context.at("directive"), "dir");
    EXPECT_EQ(reading->kind, BlockKind::header);
    ASSERT_EQ(reading->finding.evidence.size(), 4U) << "every line of the block is evidence";
    EXPECT_EQ(reading->finding.evidence[reading->finding.decided], "Permission denied") << "and says which decided";
    EXPECT_EQ(reading->finding.evidence[0], "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***");
}

TEST(CrashReading, RedisConfigBlockVariants)
{
    // The log file variant users meet on Docker Desktop.
    auto log_file = read_crash("*** FATAL CONFIG FILE ERROR (Redis 6.2.6) ***\n"
                               "Reading the configuration file, at line 171\n"
                               ">>> 'logfile \"/var/log/redis/redis-server.log\"'\n"
                               "Can't open the log file: Permission denied\n");
    ASSERT_TRUE(log_file);
    EXPECT_EQ(log_file->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(log_file->finding.context.at("path"), "/var/log/redis/redis-server.log");
    // A wrong directive is the configuration's fault: CONFIG_ERROR, and no path to chown.
    auto directive = read_crash("*** FATAL CONFIG FILE ERROR (Redis 7.2.4) ***\n"
                                "Reading the configuration file, at line 2\n"
                                ">>> 'maxmemory-polcy allkeys-lru'\n"
                                "Bad directive or wrong number of arguments\n");
    ASSERT_TRUE(directive);
    EXPECT_EQ(directive->finding.type, ErrorType::config_error);
    EXPECT_EQ(directive->finding.rule->id, "redis-config-file-invalid");
    // A reason medic has no rule for: the header decides, with the directive's path as context.
    auto unknown = read_crash("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                              "Reading the configuration file, at line 3\n"
                              ">>> 'dir \"/srv/redis\"'\n"
                              "No such file or directory\n");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->finding.type, ErrorType::config_error);
    EXPECT_EQ(unknown->finding.role, RuleRole::header);
    EXPECT_EQ(unknown->finding.context.at("path"), "/srv/redis");
}

TEST(CrashReading, PythonTracebackDecidesOnItsLastLine)
{
    const auto reading = read_crash("Traceback (most recent call last):\n"
                                    "  File \"/app/main.py\", line 12, in <module>\n"
                                    "    db = connect(\"/var/lib/app/app.db\")\n"
                                    "  File \"/app/store.py\", line 40, in connect\n"
                                    "    return sqlite3.connect(path)\n"
                                    "sqlite3.OperationalError: unable to open database file\n"
                                    "\n"
                                    "During handling of the above exception, another exception occurred:\n"
                                    "\n"
                                    "Traceback (most recent call last):\n"
                                    "  File \"/app/main.py\", line 14, in <module>\n"
                                    "    os.makedirs(\"/var/lib/app/cache\")\n"
                                    "PermissionError: [Errno 13] Permission denied: '/var/lib/app/cache'\n");
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(reading->finding.context.at("path"), "/var/lib/app/cache");
    EXPECT_EQ(reading->kind, BlockKind::python_traceback);
    EXPECT_EQ(reading->finding.evidence[reading->finding.decided],
              "PermissionError: [Errno 13] Permission denied: '/var/lib/app/cache'");
}

TEST(CrashReading, JavaTraceDecidesOnItsLastCause)
{
    const auto reading =
        read_crash("Exception in thread \"main\" java.lang.IllegalStateException: Failed to create node environment\n"
                   "\tat org.elasticsearch.node.Node.<init>(Node.java:298)\n"
                   "\tat org.elasticsearch.bootstrap.Bootstrap.setup(Bootstrap.java:178)\n"
                   "Caused by: java.io.UncheckedIOException: java.io.IOException: failed to obtain lock\n"
                   "\tat org.elasticsearch.env.NodeEnvironment.<init>(NodeEnvironment.java:270)\n"
                   "Caused by: java.nio.file.AccessDeniedException: /usr/share/elasticsearch/data/nodes\n"
                   "\tat sun.nio.fs.UnixException.translateToIOException(UnixException.java:90)\n"
                   "\t... 12 more\n");
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(reading->finding.context.at("path"), "/usr/share/elasticsearch/data/nodes");
    EXPECT_EQ(reading->kind, BlockKind::stack_trace);
    EXPECT_EQ(reading->finding.evidence.size(), 8U);
}

TEST(CrashReading, GoPanicAndNodeErrorWithTheirFrames)
{
    const auto go = read_crash("panic: open /data/state.json: permission denied\n"
                               "\n"
                               "goroutine 1 [running]:\n"
                               "main.main()\n"
                               "\t/src/app/main.go:31 +0x1d4\n"
                               "exit status 2\n");
    ASSERT_TRUE(go);
    EXPECT_EQ(go->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(go->finding.context.at("path"), "/data/state.json");
    EXPECT_EQ(go->kind, BlockKind::go_panic);
    EXPECT_EQ(go->finding.evidence.size(), 6U);

    const auto node = read_crash("Error: EACCES: permission denied, mkdir '/home/node/app/data/logs'\n"
                                 "    at Object.mkdirSync (node:fs:1391:3)\n"
                                 "    at start (/home/node/app/index.js:12:6)\n");
    ASSERT_TRUE(node);
    EXPECT_EQ(node->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(node->kind, BlockKind::stack_trace);
}

TEST(CrashReading, PostgresMessageWithDetailAndHint)
{
    const auto reading = read_crash(
        "2024-05-08 17:13:32.546 UTC [52] FATAL:  data directory \"/var/lib/postgresql/data/pgdata\" has "
        "invalid permissions\n"
        "2024-05-08 17:13:32.546 UTC [52] DETAIL:  Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).\n");
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(reading->kind, BlockKind::postgres_message);
    EXPECT_EQ(reading->finding.evidence.size(), 2U);
    EXPECT_EQ(reading->finding.decided, 0U);
}

TEST(CrashReading, MultiLineJsonRecordIsReadByItsMessage)
{
    const auto reading = read_crash("{\n"
                                    "  \"level\": \"fatal\",\n"
                                    "  \"time\": \"2026-12-06T10:00:00Z\",\n"
                                    "  \"msg\": \"cannot start\",\n"
                                    "  \"error\": \"mkdir /var/lib/app/blobs: permission denied\"\n"
                                    "}\n");
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(reading->finding.context.at("path"), "/var/lib/app/blobs");
    EXPECT_EQ(reading->kind, BlockKind::json);
}

TEST(CrashReading, CauseBeatsSymptomWhereverItIsInTheRun)
{
    // A symptom first (its peer is down), the cause later: the cause decides ...
    auto reading = read_crash("2026-12-06 10:00:00 WARN connect ECONNREFUSED 172.18.0.3:6379\n"
                              "2026-12-06 10:00:01 INFO retrying\n"
                              "2026-12-06 10:00:02 FATAL open /data/queue.db: permission denied\n");
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.type, ErrorType::permission_denied);
    // ... and when the cause comes first, it still does.
    reading = read_crash("1:M 01 Jan 2026 10:00:00.000 # Can't open or create append-only dir appendonlydir: "
                         "Permission denied\n"
                         "Error: connect ECONNREFUSED 127.0.0.1:6379\n");
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.type, ErrorType::permission_denied);
    EXPECT_EQ(reading->finding.rule->id, "redis-aof-permission-denied");
}

TEST(CrashReading, OrdinaryLinesAreDecidedAtOnceAndOnlyAPossibleBlockWaits)
{
    BlockReader reader(embedded());
    auto now = reader.push("1:M 01 Jan 2026 10:00:00.000 # Can't open or create append-only dir appendonlydir: "
                           "Permission denied",
                           1);
    ASSERT_EQ(now.size(), 1U) << "a line that opens no block is decided at once";
    EXPECT_FALSE(reader.pending());
    EXPECT_TRUE(reader.push("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***", 2).empty());
    EXPECT_TRUE(reader.pending()) << "a header waits for its reason";
    EXPECT_TRUE(reader.push(">>> 'dir \"/data\"'", 3).empty());
    auto completed = reader.push("Permission denied", 4);
    ASSERT_EQ(completed.size(), 1U) << "the reason completes the block";
    EXPECT_EQ(completed[0].written_ms, 4);
    EXPECT_FALSE(reader.pending());
    // A header whose reason never comes is decided by flush() (the exit, or silence).
    EXPECT_TRUE(reader.push("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***", 5).empty());
    auto flushed = reader.flush();
    ASSERT_EQ(flushed.size(), 1U);
    EXPECT_EQ(flushed[0].finding.type, ErrorType::config_error);
}

TEST(CrashReading, AHugeBlockKeepsItsHeadItsDecidingLineAndItsTail)
{
    std::string trace = "Exception in thread \"main\" java.lang.RuntimeException: boom\n";
    for (int frame = 0; frame < 150; ++frame) {
        trace += fmt::format("\tat com.example.Frame{}.call(Frame.java:{})\n", frame, frame);
    }
    trace += "Caused by: java.nio.file.AccessDeniedException: /data/index\n";
    for (int frame = 0; frame < 30; ++frame) {
        trace += fmt::format("\tat com.example.Inner{}.call(Inner.java:{})\n", frame, frame);
    }
    const auto reading = read_crash(trace);
    ASSERT_TRUE(reading);
    EXPECT_EQ(reading->finding.context.at("path"), "/data/index");
    EXPECT_LE(reading->finding.evidence.size(), 32U);
    EXPECT_EQ(reading->finding.evidence[reading->finding.decided],
              "Caused by: java.nio.file.AccessDeniedException: /data/index");
}

/// Every multi-line record of the corpus, read as a whole as medic reads a crash: the
/// decided cause must be the record's type.
TEST(CrashReading, TheCorpusBlocksAreDecidedAsUsersLabelledThem)
{
    std::ifstream file(std::string(MEDIC_SOURCE_DIR) + "/tests/data/errors.jsonl");
    std::string line;
    int blocks = 0;
    int decided = 0;
    while (std::getline(file, line)) {
        const auto record = nlohmann::json::parse(line);
        const auto text = record["text"].get<std::string>();
        const auto type = record["type"].get<std::string>();
        if (text.find('\n') == std::string::npos || type == "NONE") {
            continue;
        }
        ++blocks;
        const auto channel =
            record["channel"] == "cli" ? std::nullopt : parse_channel(record["channel"].get<std::string>());
        const auto reading = read_crash(text, channel);
        std::vector<std::string> accepted{type};
        for (const auto& also : record.value("also", nlohmann::json::array())) {
            accepted.push_back(also.get<std::string>());
        }
        const bool right = reading && std::find(accepted.begin(), accepted.end(),
                                                std::string(to_string(reading->finding.type))) != accepted.end();
        decided += right ? 1 : 0;
        EXPECT_TRUE(right) << record["id"].get<std::string>() << ": expected " << type << ", decided "
                           << (reading ? std::string(to_string(reading->finding.type)) + " by " + reading->finding.text
                                       : std::string("nothing"));
    }
    std::cout << fmt::format("[ measure  ] corpus blocks: {}/{} decided as labelled\n", decided, blocks);
    EXPECT_GE(blocks, 60);
}

} // namespace
} // namespace medic::classify
