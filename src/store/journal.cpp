// The healing half of the store: the action journal and the quarantine records.

#include "store/database.hpp"

namespace medic::store {
namespace {

constexpr std::string_view k_action_columns = "id, incident_id, container_id, container_name, action, safety, state, "
                                              "dry_run, step, attempt, started_at, ended_at, detail, before, after";

void bind_action(SQLite::Statement& statement, const ActionRecord& action)
{
    int index = 1;
    statement.bind(index++, action.incident_id);
    statement.bind(index++, action.container_id);
    statement.bind(index++, action.container_name);
    statement.bind(index++, action.action);
    statement.bind(index++, action.safety);
    statement.bind(index++, std::string(to_string(action.state)));
    statement.bind(index++, action.dry_run ? 1 : 0);
    statement.bind(index++, action.step);
    statement.bind(index++, action.attempt);
    statement.bind(index++, action.started_at);
    statement.bind(index++, action.ended_at);
    statement.bind(index++, action.detail);
    statement.bind(index++, action.before);
    statement.bind(index, action.after);
}

ActionRecord read_action(SQLite::Statement& query)
{
    ActionRecord row;
    row.id = query.getColumn(0).getInt64();
    row.incident_id = query.getColumn(1).getInt64();
    row.container_id = query.getColumn(2).getString();
    row.container_name = query.getColumn(3).getString();
    row.action = query.getColumn(4).getString();
    row.safety = query.getColumn(5).getString();
    row.state = parse_action_state(query.getColumn(6).getString()).value_or(ActionState::failed);
    row.dry_run = query.getColumn(7).getInt() != 0;
    row.step = query.getColumn(8).getInt();
    row.attempt = query.getColumn(9).getInt();
    row.started_at = query.getColumn(10).getInt64();
    row.ended_at = query.getColumn(11).getInt64();
    row.detail = query.getColumn(12).getString();
    row.before = query.getColumn(13).getString();
    row.after = query.getColumn(14).getString();
    return row;
}

constexpr std::string_view k_quarantine_columns =
    "id, incident_id, action_id, container_id, container_name, root, directory, items, created_at, restored_at";

QuarantineRecord read_quarantine(SQLite::Statement& query)
{
    QuarantineRecord row;
    row.id = query.getColumn(0).getInt64();
    row.incident_id = query.getColumn(1).getInt64();
    row.action_id = query.getColumn(2).getInt64();
    row.container_id = query.getColumn(3).getString();
    row.container_name = query.getColumn(4).getString();
    row.root = query.getColumn(5).getString();
    row.directory = query.getColumn(6).getString();
    row.items = query.getColumn(7).getString();
    row.created_at = query.getColumn(8).getInt64();
    row.restored_at = query.getColumn(9).getInt64();
    return row;
}

constexpr std::array<ActionState, 6> k_action_states{ActionState::planned,   ActionState::running,
                                                     ActionState::succeeded, ActionState::failed,
                                                     ActionState::skipped,   ActionState::interrupted};

} // namespace

std::string_view to_string(ActionState state)
{
    switch (state) {
    case ActionState::planned: return "planned";
    case ActionState::running: return "running";
    case ActionState::succeeded: return "succeeded";
    case ActionState::failed: return "failed";
    case ActionState::skipped: return "skipped";
    case ActionState::interrupted: return "interrupted";
    }
    return "failed";
}

std::optional<ActionState> parse_action_state(std::string_view text)
{
    for (auto state : k_action_states) {
        if (to_string(state) == text) {
            return state;
        }
    }
    return std::nullopt;
}

std::int64_t Store::insert_action(const ActionRecord& action)
{
    const auto id = guarded([&] {
        SQLite::Statement insert(*m_database->connection,
                                 "INSERT INTO actions (incident_id, container_id, container_name, action, safety, "
                                 "state, dry_run, step, attempt, started_at, ended_at, detail, before, after) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        bind_action(insert, action);
        insert.exec();
        return m_database->connection->getLastInsertRowid();
    });
    auto stored = action;
    stored.id = id;
    notify({.kind = Change::Kind::action, .created = true, .action = &stored});
    return id;
}

void Store::update_action(const ActionRecord& action)
{
    guarded([&] {
        SQLite::Statement update(*m_database->connection,
                                 "UPDATE actions SET state = ?, ended_at = ?, detail = ?, before = ?, after = ?, "
                                 "container_id = ? WHERE id = ?");
        update.bind(1, std::string(to_string(action.state)));
        update.bind(2, action.ended_at);
        update.bind(3, action.detail);
        update.bind(4, action.before);
        update.bind(5, action.after);
        update.bind(6, action.container_id);
        update.bind(7, action.id);
        update.exec();
    });
    notify({.kind = Change::Kind::action, .created = false, .action = &action});
}

std::vector<ActionRecord> Store::actions(std::int64_t incident_id, const Page& page, std::int64_t* total)
{
    return actions(ActionQuery{.page = page, .incident_id = incident_id}, total);
}

std::vector<ActionRecord> Store::actions(const ActionQuery& query, std::int64_t* total)
{
    return guarded([&] {
        std::string where = " WHERE 1=1";
        if (query.incident_id != 0) {
            where += " AND incident_id = :incident";
        }
        if (query.container) {
            where += " AND (container_name = :container OR container_id = :container)";
        }
        if (query.action) {
            where += " AND action = :action";
        }
        if (query.state) {
            where += " AND state = :state";
        }
        auto bind = [&](SQLite::Statement& statement) {
            if (query.incident_id != 0) {
                statement.bind(":incident", query.incident_id);
            }
            if (query.container) {
                statement.bind(":container", *query.container);
            }
            if (query.action) {
                statement.bind(":action", *query.action);
            }
            if (query.state) {
                statement.bind(":state", std::string(to_string(*query.state)));
            }
        };
        if (total != nullptr) {
            SQLite::Statement count(*m_database->connection, "SELECT COUNT(*) FROM actions" + where);
            bind(count);
            *total = count.executeStep() ? count.getColumn(0).getInt64() : 0;
        }
        SQLite::Statement select(*m_database->connection,
                                 fmt::format("SELECT {} FROM actions{} ORDER BY started_at DESC, id DESC LIMIT :limit "
                                             "OFFSET :offset",
                                             k_action_columns, where));
        bind(select);
        const int per_page = std::clamp(query.page.per_page, 1, 500);
        select.bind(":limit", per_page);
        select.bind(":offset", (std::max(query.page.page, 1) - 1) * per_page);
        std::vector<ActionRecord> rows;
        while (select.executeStep()) {
            rows.push_back(read_action(select));
        }
        return rows;
    });
}

std::vector<ActionRecord> Store::interrupt_running_actions(incident::TimeMs now)
{
    return guarded([&] {
        std::vector<ActionRecord> rows;
        SQLite::Statement select(*m_database->connection,
                                 fmt::format("SELECT {} FROM actions WHERE state = 'running'", k_action_columns));
        while (select.executeStep()) {
            rows.push_back(read_action(select));
        }
        for (auto& row : rows) {
            row.state = ActionState::interrupted;
            row.ended_at = now;
            row.detail += row.detail.empty() ? "" : "; ";
            row.detail += "interrupted: medic stopped while this action ran";
            update_action(row);
        }
        return rows;
    });
}

std::int64_t Store::insert_quarantine(const QuarantineRecord& record)
{
    return guarded([&] {
        SQLite::Statement insert(*m_database->connection,
                                 "INSERT INTO quarantine (incident_id, action_id, container_id, container_name, root, "
                                 "directory, items, created_at, restored_at) VALUES (?,?,?,?,?,?,?,?,?)");
        insert.bind(1, record.incident_id);
        insert.bind(2, record.action_id);
        insert.bind(3, record.container_id);
        insert.bind(4, record.container_name);
        insert.bind(5, record.root);
        insert.bind(6, record.directory);
        insert.bind(7, record.items);
        insert.bind(8, record.created_at);
        insert.bind(9, record.restored_at);
        insert.exec();
        return m_database->connection->getLastInsertRowid();
    });
}

std::optional<QuarantineRecord> Store::quarantine_by_id(std::int64_t id)
{
    return guarded(
        [&] { return select_by_id(*m_database->connection, "quarantine", k_quarantine_columns, id, read_quarantine); });
}

std::vector<QuarantineRecord> Store::quarantines()
{
    return guarded([&] {
        SQLite::Statement select(*m_database->connection,
                                 fmt::format("SELECT {} FROM quarantine ORDER BY id DESC", k_quarantine_columns));
        std::vector<QuarantineRecord> rows;
        while (select.executeStep()) {
            rows.push_back(read_quarantine(select));
        }
        return rows;
    });
}

void Store::mark_restored(std::int64_t id, incident::TimeMs now)
{
    guarded([&] {
        SQLite::Statement update(*m_database->connection, "UPDATE quarantine SET restored_at = ? WHERE id = ?");
        update.bind(1, now);
        update.bind(2, id);
        update.exec();
    });
}

} // namespace medic::store
