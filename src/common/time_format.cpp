#include "common/time_format.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace medic {
namespace {

bool read_number(std::string_view text, std::size_t position, std::size_t digits, int& value)
{
    if (position + digits > text.size()) {
        return false;
    }
    const char* begin = text.data() + position;
    auto [end, error] = std::from_chars(begin, begin + digits, value);
    return error == std::errc{} && end == begin + digits;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
        text[13] != ':' || text[16] != ':' || !read_number(text, 0, 4, year) || !read_number(text, 5, 2, month) ||
        !read_number(text, 8, 2, day) || !read_number(text, 11, 2, hour) || !read_number(text, 14, 2, minute) ||
        !read_number(text, 17, 2, second)) {
        return std::nullopt;
    }
    if (year <= 1) {
        return std::nullopt; // Docker's "never"
    }
    std::size_t position = 19;
    std::chrono::nanoseconds fraction{0};
    if (position < text.size() && text[position] == '.') {
        ++position;
        long long nanos = 0;
        int digits = 0;
        while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
            if (digits < 9) {
                nanos = nanos * 10 + (text[position] - '0');
                ++digits;
            }
            ++position;
        }
        for (; digits < 9; ++digits) {
            nanos *= 10;
        }
        fraction = std::chrono::nanoseconds(nanos);
    }
    std::chrono::minutes offset{0};
    if (position < text.size() && (text[position] == 'Z' || text[position] == 'z')) {
        ++position;
    } else if (position + 6 == text.size() && (text[position] == '+' || text[position] == '-')) {
        int offset_hours = 0, offset_minutes = 0;
        if (!read_number(text, position + 1, 2, offset_hours) || !read_number(text, position + 4, 2, offset_minutes)) {
            return std::nullopt;
        }
        offset = std::chrono::hours(offset_hours) + std::chrono::minutes(offset_minutes);
        if (text[position] == '-') {
            offset = -offset;
        }
        position += 6;
    } else {
        return std::nullopt;
    }
    if (position != text.size()) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    auto time = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                std::chrono::seconds(second) - offset;
    return std::chrono::time_point_cast<std::chrono::system_clock::duration>(time + fraction);
}

std::string format_duration(std::chrono::seconds duration)
{
    long long total = std::max<long long>(0, duration.count());
    const long long days = total / 86400;
    const long long hours = (total % 86400) / 3600;
    const long long minutes = (total % 3600) / 60;
    const long long seconds = total % 60;
    if (days > 0) {
        return fmt::format("{}d{}h", days, hours);
    }
    if (hours > 0) {
        return fmt::format("{}h{}m", hours, minutes);
    }
    if (minutes > 0) {
        return fmt::format("{}m{}s", minutes, seconds);
    }
    return fmt::format("{}s", seconds);
}

std::int64_t unix_nanos(std::chrono::system_clock::time_point time)
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

std::int64_t unix_millis_now()
{
    return unix_nanos_now() / 1'000'000;
}

std::int64_t unix_nanos_now()
{
    return unix_nanos(std::chrono::system_clock::now());
}

std::string format_utc(std::int64_t nanos, TimeStyle style)
{
    const std::time_t seconds = static_cast<std::time_t>(nanos / 1'000'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    if (style == TimeStyle::readable) {
        return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                           utc.tm_hour, utc.tm_min, utc.tm_sec);
    }
    if (style == TimeStyle::compact) {
        return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                           utc.tm_hour, utc.tm_min, utc.tm_sec);
    }
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec, nanos % 1'000'000'000);
}

} // namespace medic
