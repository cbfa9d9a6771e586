#pragma once
// Child coroutines a component starts and must see finish before it stops: each is
// spawned on the component's executor, an exception escaping one is logged (never
// lost, never fatal), and drained() completes once none is left.

#include <cstddef>
#include <exception>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace medic {

/// What an exception that escaped a coroutine says, whatever was thrown.
std::string describe_failure(std::exception_ptr failure);

/// The completion handler of a coroutine nobody waits on (in place of asio::detached):
/// an exception that escaped it is logged with `what` ("API connection", "live logs"),
/// never lost and never fatal.
struct LogFailure {
    const char* what;
    void operator()(std::exception_ptr failure) const;
};

class TaskGroup {
public:
    /// `what` names the component in the log line of a failed task ("watcher", "healing", "probe").
    TaskGroup(boost::asio::any_io_executor executor, std::string what);
    ~TaskGroup();
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    void spawn(boost::asio::awaitable<void> task);

    /// Tasks still running.
    [[nodiscard]] std::size_t size() const;

    /// Completes when no task is left (at once when none runs).
    boost::asio::awaitable<void> drained();

private:
    struct State;
    std::shared_ptr<State> m_state; ///< shared with the completion handlers
};

} // namespace medic
