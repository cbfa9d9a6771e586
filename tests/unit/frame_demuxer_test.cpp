#include "docker/frame_demuxer.hpp"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "docker/line_splitter.hpp"
#include "docker/log_decoder.hpp"

namespace medic::docker {
namespace {

std::string frame(OutputStream stream, std::string_view payload)
{
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(stream);
    const auto size = static_cast<std::uint32_t>(payload.size());
    bytes[4] = static_cast<char>((size >> 24U) & 0xFFU);
    bytes[5] = static_cast<char>((size >> 16U) & 0xFFU);
    bytes[6] = static_cast<char>((size >> 8U) & 0xFFU);
    bytes[7] = static_cast<char>(size & 0xFFU);
    return bytes + std::string(payload);
}

struct Collected {
    std::string stdout_text;
    std::string stderr_text;
};

FrameDemuxer::Sink collect_into(Collected& collected)
{
    return [&collected](OutputStream stream, std::string_view payload) {
        (stream == OutputStream::stderr_stream ? collected.stderr_text : collected.stdout_text).append(payload);
    };
}

TEST(FrameDemuxer, SeparatesStdoutAndStderr)
{
    FrameDemuxer demuxer;
    Collected collected;
    auto input = frame(OutputStream::stdout_stream, "hello\n") + frame(OutputStream::stderr_stream, "oops\n") +
                 frame(OutputStream::stdout_stream, "world\n");
    ASSERT_TRUE(demuxer.feed(input, collect_into(collected)));
    EXPECT_TRUE(demuxer.finish());
    EXPECT_EQ(collected.stdout_text, "hello\nworld\n");
    EXPECT_EQ(collected.stderr_text, "oops\n");
}

TEST(FrameDemuxer, SameResultForEverySplitOfTheInput)
{
    auto input = frame(OutputStream::stdout_stream, "first line\n") + frame(OutputStream::stderr_stream, "") +
                 frame(OutputStream::stderr_stream, std::string(300, 'e')) + frame(OutputStream::stdout_stream, "z");
    // Byte by byte, and at random cut points.
    std::mt19937 random(7);
    for (int round = 0; round < 50; ++round) {
        FrameDemuxer demuxer;
        Collected collected;
        std::size_t position = 0;
        while (position < input.size()) {
            std::size_t take = round == 0 ? 1 : std::uniform_int_distribution<std::size_t>(1, 40)(random);
            take = std::min(take, input.size() - position);
            ASSERT_TRUE(demuxer.feed(std::string_view(input).substr(position, take), collect_into(collected)));
            position += take;
        }
        ASSERT_TRUE(demuxer.finish());
        EXPECT_EQ(collected.stdout_text, "first line\nz");
        EXPECT_EQ(collected.stderr_text, std::string(300, 'e'));
    }
}

TEST(FrameDemuxer, GarbageHeaderIsAnErrorNamingTheOffset)
{
    FrameDemuxer demuxer;
    Collected collected;
    auto input = frame(OutputStream::stdout_stream, "ok\n") + "HTTP/1.1 garbage that is not a frame";
    auto result = demuxer.feed(input, collect_into(collected));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::protocol);
    EXPECT_NE(result.error().message.find("byte 11"), std::string::npos) << result.error().message;
    EXPECT_EQ(collected.stdout_text, "ok\n"); // what came before the garbage is kept
    EXPECT_FALSE(demuxer.feed("more", collect_into(collected)));
}

TEST(FrameDemuxer, FourGigabyteHeaderIsRefusedWithoutAllocating)
{
    FrameDemuxer demuxer;
    Collected collected;
    std::string header = {'\1', '\0', '\0', '\0', '\xff', '\xff', '\xff', '\xff'};
    auto result = demuxer.feed(header, collect_into(collected));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::too_large);
    EXPECT_NE(result.error().message.find("4294967295"), std::string::npos) << result.error().message;
}

TEST(FrameDemuxer, StreamEndingInsideAFrameIsTruncated)
{
    FrameDemuxer demuxer;
    Collected collected;
    auto input = frame(OutputStream::stdout_stream, "0123456789");
    ASSERT_TRUE(demuxer.feed(std::string_view(input).substr(0, 12), collect_into(collected)));
    auto finished = demuxer.finish();
    ASSERT_FALSE(finished);
    EXPECT_EQ(finished.error().kind, ErrorKind::truncated);
    EXPECT_NE(finished.error().message.find("4 of 10"), std::string::npos) << finished.error().message;

    FrameDemuxer in_header;
    ASSERT_TRUE(in_header.feed(std::string_view(input).substr(0, 5), collect_into(collected)));
    EXPECT_EQ(in_header.finish().error().kind, ErrorKind::truncated);
}

std::vector<std::pair<std::string, bool>> split_lines(LineSplitter& splitter, const std::vector<std::string>& pieces,
                                                      bool flush = true)
{
    std::vector<std::pair<std::string, bool>> lines;
    auto sink = [&lines](std::string_view line, bool truncated) { lines.emplace_back(std::string(line), truncated); };
    for (const auto& piece : pieces) {
        splitter.feed(piece, sink);
    }
    if (flush) {
        splitter.flush(sink);
    }
    return lines;
}

TEST(LineSplitter, JoinsLinesSplitAcrossPiecesAndStripsCarriageReturns)
{
    LineSplitter splitter;
    auto lines = split_lines(splitter, {"one\r\ntw", "o\nthr", "ee"});
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_EQ(lines[0].first, "one");
    EXPECT_EQ(lines[1].first, "two");
    EXPECT_EQ(lines[2].first, "three");
}

TEST(LineSplitter, OverlongLineIsCutAtTheLimitAndTheRestSkipped)
{
    LineSplitter splitter(16);
    std::vector<std::string> pieces;
    pieces.push_back("short\n");
    for (int i = 0; i < 1000; ++i) {
        pieces.push_back(std::string(1000, 'x')); // a 1 MB line in pieces
    }
    pieces.push_back("tail of the long line\nnext\n");
    auto lines = split_lines(splitter, pieces, false);
    EXPECT_LE(splitter.buffered(), 16U);
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_EQ(lines[0], std::make_pair(std::string("short"), false));
    EXPECT_EQ(lines[1], std::make_pair(std::string(16, 'x'), true));
    EXPECT_EQ(lines[2], std::make_pair(std::string("next"), false));
}

TEST(LineSplitter, LineExactlyAtTheLimitIsWhole)
{
    LineSplitter splitter(4);
    auto lines = split_lines(splitter, {"ab", "cd", "\nefgh\n"});
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0], std::make_pair(std::string("abcd"), false));
    EXPECT_EQ(lines[1], std::make_pair(std::string("efgh"), false));
}

TEST(LogDecoder, SplitsTimestampsAndKeepsStreamsApart)
{
    LogDecoder decoder(StreamFraming::multiplexed, true, 1024);
    auto input = frame(OutputStream::stdout_stream, "2024-05-01T10:00:00.123456789Z ready to accept\n") +
                 frame(OutputStream::stderr_stream, "2024-05-01T10:00:01.000000001Z Permission denied\n");
    ASSERT_TRUE(decoder.feed(input));
    ASSERT_TRUE(decoder.finish());
    auto first = decoder.pop();
    auto second = decoder.pop();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->timestamp, "2024-05-01T10:00:00.123456789Z");
    EXPECT_EQ(first->text, "ready to accept");
    EXPECT_EQ(first->stream, OutputStream::stdout_stream);
    EXPECT_EQ(second->stream, OutputStream::stderr_stream);
    EXPECT_EQ(second->text, "Permission denied");
    EXPECT_FALSE(decoder.pop());
}

TEST(LogDecoder, RawTtyStreamHasNoFraming)
{
    LogDecoder decoder(StreamFraming::raw, false, 1024);
    using namespace std::string_view_literals;
    ASSERT_TRUE(decoder.feed("\x01\x00 binary-ish start\r\nsecond"sv));
    ASSERT_TRUE(decoder.finish());
    auto first = decoder.pop();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->text, "\x01\x00 binary-ish start"sv);
    EXPECT_EQ(decoder.pop()->text, "second");
}

TEST(LogDecoder, BinaryGarbageAsMultiplexedIsAnErrorNotACrash)
{
    std::mt19937 random(11);
    for (int round = 0; round < 200; ++round) {
        LogDecoder decoder(StreamFraming::multiplexed, true, 256);
        std::string garbage(512, '\0');
        for (auto& byte : garbage) {
            byte = static_cast<char>(random());
        }
        auto fed = decoder.feed(garbage);
        (void)decoder.finish();
        while (decoder.pop()) {
        }
        if (!fed) {
            EXPECT_TRUE(fed.error().kind == ErrorKind::protocol || fed.error().kind == ErrorKind::too_large);
        }
    }
}

} // namespace
} // namespace medic::docker
