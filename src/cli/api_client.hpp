#pragma once
// How the CLI talks to a running `medic run`: its API on the listen address, with the
// token from the data dir (the operator's file, else the viewer's) or MEDIC_API_TOKEN.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace medic::cli {

struct ApiClientOptions {
    std::optional<std::string> address;  ///< host:port; default MEDIC_LISTEN, else 127.0.0.1:9470
    std::optional<std::string> data_dir; ///< where the token files are; default MEDIC_DATA_DIR, else /var/lib/medic
};

class ApiClient {
public:
    /// Finds the address and the token; an error says where it looked.
    static Result<ApiClient> connect(const ApiClientOptions& options);

    /// GET `target`: the body of a 200 reply. ErrorKind::connect_failed when nothing answers;
    /// another status is an error with the API's message.
    [[nodiscard]] Result<std::string> get(std::string_view target) const;

    /// Reads the Server-Sent Events of `target`; `on_event(event, data)` returns false to stop.
    [[nodiscard]] Result<void> stream(std::string_view target,
                                      const std::function<bool(std::string_view, std::string_view)>& on_event) const;

    [[nodiscard]] const std::string& address() const { return m_address; }

    /// "medic run is not answering at ADDR ..." for a connect failure, else the error's message.
    [[nodiscard]] std::string explain(const Error& error) const;

private:
    ApiClient(std::string address, std::string token) : m_address(std::move(address)), m_token(std::move(token)) {}

    std::string m_address;
    std::string m_token;
};

} // namespace medic::cli
