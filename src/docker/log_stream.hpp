#pragma once
// A container's log stream as it is read: one LogLine at a time.

#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "docker/http_transport.hpp"
#include "docker/log_decoder.hpp"

namespace medic::docker {

class LogStream {
public:
    LogStream(std::unique_ptr<ResponseStream> response, StreamFraming framing, bool timestamps,
              std::size_t max_line_length);

    /// The next line; std::nullopt when the stream ended (the container stopped, or
    /// the logs were read to the end without follow). A stream cut inside a frame is
    /// an ErrorKind::truncated error.
    boost::asio::awaitable<Result<std::optional<LogLine>>> next(std::chrono::milliseconds idle_timeout = {});

    /// Ends the stream; a pending next() completes with ErrorKind::cancelled.
    void close() { m_response->close(); }

private:
    std::unique_ptr<ResponseStream> m_response;
    LogDecoder m_decoder;
    std::optional<Error> m_failure;
    bool m_finished = false;
};

} // namespace medic::docker
