#include "heal/profile.hpp"

#include <array>

namespace medic::heal {
namespace {

const std::array<ProfileTraits, 4>& all_traits()
{
    static const std::array<ProfileTraits, 4> traits{{
        {Profile::generic, "generic", "", "", {0, 0}, {}},
        {Profile::redis, "redis", "/data", "999:999", {6380, 6390}, {"redis-cli", "ping"}},
        {Profile::postgres, "postgres", "/var/lib/postgresql/data", "999:999", {5433, 5440}, {"pg_isready"}},
        {Profile::sysreptor, "sysreptor", "", "", {9000, 9010}, {}},
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
    for (const auto& port : container.ports) {
        if (port.private_port == 6379) {
            return Profile::redis;
        }
        if (port.private_port == 5432) {
            return Profile::postgres;
        }
    }
    return Profile::generic;
}

} // namespace medic::heal
