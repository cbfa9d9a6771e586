#include "heal/heal_limits.hpp"

#include <algorithm>

namespace medic::heal {

TimeMs HealLimits::backoff(const std::string& container, TimeMs now) const
{
    auto found = m_history.find(container);
    if (found == m_history.end() || found->second.streak == 0 ||
        now - found->second.last_finished >= m_options.backoff_reset) {
        return 0;
    }
    TimeMs delay = m_options.backoff_initial;
    for (int step = 1; step < found->second.streak && delay < m_options.backoff_max; ++step) {
        delay *= 2;
    }
    return std::min(delay, m_options.backoff_max);
}

TimeMs HealLimits::next_playbook_at(const std::string& container, TimeMs now) const
{
    const auto delay = backoff(container, now);
    if (delay == 0) {
        return now;
    }
    return std::max(now, m_history.at(container).last_finished + delay);
}

void HealLimits::playbook_started(const std::string& container, TimeMs now)
{
    auto& history = m_history[container];
    if (history.streak > 0 && now - history.last_finished >= m_options.backoff_reset) {
        history.streak = 0;
    }
    ++history.streak;
}

void HealLimits::playbook_finished(const std::string& container, bool healed, TimeMs now)
{
    auto& history = m_history[container];
    history.last_finished = now;
    if (!healed) {
        history.failures.push_back(now);
    }
}

bool HealLimits::circuit_open(const std::string& container, TimeMs now) const
{
    auto found = m_history.find(container);
    if (found == m_history.end()) {
        return false;
    }
    const auto recent = std::count_if(found->second.failures.begin(), found->second.failures.end(),
                                      [&](TimeMs failed) { return now - failed < m_options.breaker_window; });
    return recent >= m_options.breaker_failures;
}

void HealLimits::reset(const std::string& container)
{
    m_history.erase(container);
}

bool HealLimits::try_begin_action(TimeMs now)
{
    while (!m_recent_actions.empty() && now - m_recent_actions.front() >= 60'000) {
        m_recent_actions.pop_front();
    }
    if (m_running_actions >= m_options.max_concurrent_actions ||
        static_cast<int>(m_recent_actions.size()) >= m_options.max_actions_per_minute) {
        return false;
    }
    ++m_running_actions;
    m_recent_actions.push_back(now);
    return true;
}

void HealLimits::end_action()
{
    m_running_actions = std::max(0, m_running_actions - 1);
}

} // namespace medic::heal
