#include "common/task_group.hpp"

#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace medic {

namespace asio = boost::asio;

std::string describe_failure(std::exception_ptr failure)
{
    if (!failure) {
        return "no exception";
    }
    try {
        std::rethrow_exception(std::move(failure));
    } catch (const std::exception& exception) {
        return exception.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

void LogFailure::operator()(std::exception_ptr failure) const
{
    if (failure) {
        spdlog::error("{} failed: {}", what, describe_failure(std::move(failure)));
    }
}

struct TaskGroup::State {
    State(asio::any_io_executor task_executor, std::string name)
        : executor(std::move(task_executor)), what(std::move(name)), idle(executor)
    {
        idle.expires_at(asio::steady_timer::time_point::max()); // never fires: cancel() wakes the waiters
    }
    asio::any_io_executor executor;
    std::string what;
    std::size_t running = 0;
    asio::steady_timer idle; ///< drained() waits on it; the last task to end cancels it
};

TaskGroup::TaskGroup(asio::any_io_executor executor, std::string what)
    : m_state(std::make_shared<State>(std::move(executor), std::move(what)))
{
}

TaskGroup::~TaskGroup() = default;

void TaskGroup::spawn(asio::awaitable<void> task)
{
    ++m_state->running;
    asio::co_spawn(m_state->executor, std::move(task), [state = m_state](std::exception_ptr failure) {
        if (failure) {
            spdlog::error("{} task failed: {}", state->what, describe_failure(failure));
        }
        if (--state->running == 0) {
            state->idle.cancel();
        }
    });
}

std::size_t TaskGroup::size() const
{
    return m_state->running;
}

asio::awaitable<void> TaskGroup::drained()
{
    const auto state = m_state;
    while (state->running > 0) {
        co_await state->idle.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

} // namespace medic
