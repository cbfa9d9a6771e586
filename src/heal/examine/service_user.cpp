// service_user: who the service really runs as. Its Config.User (a name is looked up
// in its own image's /etc/passwd); else the user its processes were seen running as
// (an image that starts as root and drops privileges); else its profile's; else root.

#include <charconv>

#include <fmt/format.h>

#include "heal/examine/checks.hpp"

namespace medic::heal {
namespace {

/// "999:999" from a profile or a label.
std::optional<ServiceUser> numeric_owner(std::string_view owner)
{
    const auto colon = owner.find(':');
    const auto uid = parse_id(owner.substr(0, colon));
    const auto gid = colon == std::string_view::npos ? uid : parse_id(owner.substr(colon + 1));
    if (!uid || !gid) {
        return std::nullopt;
    }
    ServiceUser user;
    user.uid = *uid;
    user.gid = *gid;
    return user;
}

/// Config.User as the kernel will see it: numbers as they are, a name (or a uid without a
/// group) through `id` in the container's own image.
boost::asio::awaitable<std::optional<ServiceUser>> configured_user(ExamineContext& context)
{
    const std::string& configured = context.container.user;
    const auto colon = configured.find(':');
    const auto name = configured.substr(0, colon);
    if (name.empty() || name == "0" || name == "root") {
        co_return std::nullopt;
    }
    if (colon != std::string::npos) {
        if (auto user = numeric_owner(configured)) {
            user->source = ServiceUser::Source::config;
            user->detail = fmt::format("Config.User {}", configured);
            co_return user;
        }
    }
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> command{"id", name}; // named: GCC 12 mishandles braced temporaries in co_await
    auto answer = co_await context.helper.run(context.container, command);
    context.helper_time +=
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (answer && answer->exit_code == 0) {
        if (auto identity = parse_id_output(answer->output)) {
            ServiceUser user;
            user.uid = identity->uid;
            user.gid = identity->gid;
            user.groups = identity->groups;
            if (colon != std::string::npos) {
                if (auto group = parse_id(configured.substr(colon + 1))) {
                    user.gid = *group;
                }
            }
            user.source = ServiceUser::Source::config;
            user.detail =
                fmt::format("Config.User {} = {} in the image {}", configured, user.owner(), context.container.image);
            co_return user;
        }
    }
    if (auto uid = parse_id(name)) {
        // A uid the image does not know runs with group 0, as Docker starts it.
        ServiceUser user;
        user.uid = *uid;
        user.source = ServiceUser::Source::config;
        user.detail = fmt::format("Config.User {} (not in the image's /etc/passwd: group 0)", configured);
        co_return user;
    }
    co_return std::nullopt;
}

} // namespace

std::optional<unsigned> parse_id(std::string_view text)
{
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

classify::Finding check_finding(classify::ErrorType type, std::string check, std::string evidence,
                                classify::Context context, bool healable)
{
    classify::Finding finding;
    finding.type = type;
    finding.severity =
        type == classify::ErrorType::suspected_compromise ? classify::Severity::critical : classify::Severity::error;
    finding.check = std::move(check);
    finding.text = std::move(evidence);
    finding.context = std::move(context);
    finding.healable = healable;
    finding.role = classify::RuleRole::cause;
    return finding;
}

boost::asio::awaitable<Check> check_service_user(ExamineContext& context)
{
    Check check;
    check.kind = CheckKind::service_user;
    check.subject = context.container.user.empty() ? "(image default)" : context.container.user;
    std::optional<ServiceUser> user = co_await configured_user(context);
    if (!user && context.observed && context.observed->uid != 0) {
        user = ServiceUser{context.observed->uid, context.observed->gid, context.observed->groups,
                           ServiceUser::Source::observed,
                           fmt::format("seen running as {}:{} ({}) while it ran", context.observed->uid,
                                       context.observed->gid, context.observed->command)};
    }
    const bool unknown_user = !user && !context.container.user.empty() && context.container.user != "root" &&
                              !context.container.user.starts_with("0");
    if (!user) {
        if (auto owner = numeric_owner(traits_of(context.profile).owner)) {
            user = *owner;
            user->source = ServiceUser::Source::profile;
            user->detail =
                fmt::format("the {} profile's user {} (not seen running)", to_string(context.profile), user->owner());
        }
    }
    if (!user) {
        user = ServiceUser{0, 0, {}, ServiceUser::Source::unknown, "root (no other user configured or seen)"};
    }
    context.user = *user;
    check.outcome = unknown_user ? CheckOutcome::unknown : CheckOutcome::passed;
    check.evidence = unknown_user ? fmt::format("Config.User '{}' is not known in the image {}; checked as {}",
                                                context.container.user, context.container.image, user->detail)
                                  : user->detail;
    co_return check;
}

} // namespace medic::heal
