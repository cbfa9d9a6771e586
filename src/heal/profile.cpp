#include "heal/profile.hpp"

#include <algorithm>
#include <array>

#include "heal/heal_policy.hpp"

namespace medic::heal {
namespace {

const std::array<ProfileTraits, 4>& all_traits()
{
    static const std::array<ProfileTraits, 4> traits{{
        {Profile::generic, "generic", "", "", {0, 0}, {}, 0, "", std::chrono::seconds(30), "", {}},
        {Profile::redis,
         "redis",
         "/data",
         "999:999",
         {6380, 6390},
         {"redis-cli", "ping"},
         6379,
         "redis",
         std::chrono::seconds(30),
         "",
         {}},
        {Profile::postgres,
         "postgres",
         "/var/lib/postgresql/data",
         "999:999",
         {5433, 5440},
         {"pg_isready"},
         5432,
         "postgres",
         std::chrono::seconds(30),
         "",
         {}},
        // SysReptor's unauthenticated health endpoint answers 503 with a JSON of the checks that failed.
        {Profile::sysreptor,
         "sysreptor",
         "",
         "",
         {9000, 9010},
         {},
         8000,
         "http",
         std::chrono::seconds(15),
         "/api/public/utils/healthcheck/",
         {"DATABASE_HOST", "REDIS_HOST"}},
    }};
    return traits;
}

bool image_mentions(std::string_view image, std::string_view word)
{
    // The repository part only: "registry:5000/library/redis:7" names redis.
    const auto slash = image.rfind('/');
    auto repository = slash == std::string_view::npos ? image : image.substr(slash + 1);
    repository = repository.substr(0, repository.find(':'));
    return repository.find(word) != std::string_view::npos;
}

} // namespace

std::string_view to_string(Profile profile)
{
    return traits_of(profile).name;
}

std::optional<Profile> parse_profile(std::string_view text)
{
    for (const auto& traits : all_traits()) {
        if (traits.name == text) {
            return traits.profile;
        }
    }
    return std::nullopt;
}

const ProfileTraits& traits_of(Profile profile)
{
    return all_traits()[static_cast<std::size_t>(profile)];
}

Profile detect_profile(const docker::ContainerDetails& container)
{
    if (auto label = container.labels.find("medic.profile"); label != container.labels.end()) {
        if (auto profile = parse_profile(label->second)) {
            return *profile;
        }
    }
    for (auto profile : {Profile::sysreptor, Profile::postgres, Profile::redis}) {
        if (image_mentions(container.image, to_string(profile))) {
            return profile;
        }
    }
    auto exposed = container.exposed_ports;
    for (const auto& port : container.ports) {
        exposed.push_back(port.private_port);
    }
    for (auto port : exposed) {
        if (port == 6379) {
            return Profile::redis;
        }
        if (port == 5432) {
            return Profile::postgres;
        }
    }
    return Profile::generic;
}

std::vector<std::string> dependencies_of(const docker::ContainerDetails& container)
{
    std::vector<std::string> names;
    auto add = [&](std::string name) {
        if (!name.empty() && name != container.name && std::find(names.begin(), names.end(), name) == names.end()) {
            names.push_back(std::move(name));
        }
    };
    if (auto label = container.labels.find("medic.depends-on"); label != container.labels.end()) {
        for (auto& name : split_list(label->second)) {
            add(std::move(name));
        }
    }
    for (auto variable : traits_of(detect_profile(container)).dependency_env) {
        if (auto host = container.env(variable)) {
            add(*host);
        }
    }
    if (container.network_mode.starts_with("container:")) {
        add(container.network_mode.substr(10)); // it lives in that container's network
    }
    return names;
}

} // namespace medic::heal
