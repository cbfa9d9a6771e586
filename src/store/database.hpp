#pragma once
// Private to src/store/: the SQLite connection behind Store, the JSON helpers of its
// text columns, and the guard that degrades to memory when a write fails.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "store/store.hpp"

namespace medic::store {

struct Store::Database {
    std::unique_ptr<SQLite::Database> connection;
};

/// Opens and migrates a database file (or ":memory:").
std::unique_ptr<SQLite::Database> open_database(const std::string& path);

inline std::string to_json(const classify::Context& context)
{
    return nlohmann::json(context).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string to_json(const std::vector<std::string>& lines)
{
    return nlohmann::json(lines).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <typename T>
T from_json(const std::string& text)
{
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
        return T{};
    }
    try {
        return parsed.get<T>();
    } catch (const nlohmann::json::exception&) {
        return T{};
    }
}

/// The row of `table` with `id`, read by `read` from the `columns` selected.
template <typename Read>
auto select_by_id(SQLite::Database& connection, std::string_view table, std::string_view columns, std::int64_t id,
                  Read read) -> std::optional<decltype(read(std::declval<SQLite::Statement&>()))>
{
    SQLite::Statement select(connection, fmt::format("SELECT {} FROM {} WHERE id = ?", columns, table));
    select.bind(1, id);
    if (select.executeStep()) {
        return read(select);
    }
    return std::nullopt;
}

template <typename Write>
auto Store::guarded(Write&& write) -> decltype(write())
{
    try {
        return write();
    } catch (const SQLite::Exception& error) {
        if (!degraded()) {
            m_degraded_reason = fmt::format("the history database failed ({}); keeping history in memory only from "
                                            "now on",
                                            error.what());
            spdlog::error("{}", m_degraded_reason);
            m_database->connection = open_database(":memory:");
            return write();
        }
        spdlog::error("history database (memory) failed: {}", error.what());
        using Returned = decltype(write());
        if constexpr (!std::is_void_v<Returned>) {
            return Returned{};
        }
    }
}

} // namespace medic::store
