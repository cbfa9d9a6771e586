#include "store/store.hpp"

#include "store/database.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace medic::store {
namespace {

// Each entry migrates from version N to N+1; the database records the version it reached.
const std::vector<std::string_view> k_migrations = {
    R"sql(
    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        container_id TEXT NOT NULL,
        container_name TEXT NOT NULL,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        rule TEXT NOT NULL,
        state TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        resolved_at INTEGER NOT NULL DEFAULT 0,
        signal_time INTEGER NOT NULL DEFAULT 0,
        context TEXT NOT NULL,
        message TEXT NOT NULL,
        lines_before TEXT NOT NULL,
        lines_after TEXT NOT NULL);
    CREATE INDEX incidents_by_state ON incidents(state, last_seen);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL,
        container_id TEXT NOT NULL,
        container_name TEXT NOT NULL,
        type TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        channel TEXT NOT NULL,
        context TEXT NOT NULL,
        text TEXT NOT NULL,
        seen_at INTEGER NOT NULL);
    CREATE INDEX findings_by_time ON findings(seen_at);
    CREATE TABLE container_events (
        id INTEGER PRIMARY KEY,
        container_id TEXT NOT NULL,
        container_name TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        time INTEGER NOT NULL);
    CREATE INDEX events_by_time ON container_events(time);
    )sql",
    // 2: when the matched line was written, so detection latency is known per finding.
    R"sql(
    ALTER TABLE findings ADD COLUMN signal_time INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 3: healing. The journal of recovery actions (written before an action starts and
    // when it ends), the quarantine of moved files, and a note on each incident.
    R"sql(
    ALTER TABLE incidents ADD COLUMN note TEXT NOT NULL DEFAULT '';
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL,
        container_id TEXT NOT NULL,
        container_name TEXT NOT NULL,
        action TEXT NOT NULL,
        safety TEXT NOT NULL,
        state TEXT NOT NULL,
        dry_run INTEGER NOT NULL,
        step INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL);
    CREATE INDEX actions_by_incident ON actions(incident_id);
    CREATE INDEX actions_by_time ON actions(started_at);
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL,
        action_id INTEGER NOT NULL,
        container_id TEXT NOT NULL,
        container_name TEXT NOT NULL,
        root TEXT NOT NULL,
        directory TEXT NOT NULL,
        items TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        restored_at INTEGER NOT NULL DEFAULT 0);
    )sql",
    // 4: diagnosis. Every line read with an incident's findings and which one decided;
    // the examinations of containers (checked facts, as JSON).
    R"sql(
    ALTER TABLE incidents ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE incidents ADD COLUMN decided INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incidents ADD COLUMN role TEXT NOT NULL DEFAULT 'cause';
    CREATE TABLE examinations (
        id INTEGER PRIMARY KEY,
        container_id TEXT NOT NULL,
        container_name TEXT NOT NULL,
        examined_at INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        body TEXT NOT NULL);
    CREATE INDEX examinations_by_container ON examinations(container_name, examined_at);
    )sql",
};

void migrate(SQLite::Database& database)
{
    const int version = database.execAndGet("PRAGMA user_version").getInt();
    for (auto step = static_cast<std::size_t>(version); step < k_migrations.size(); ++step) {
        SQLite::Transaction transaction(database);
        database.exec(std::string(k_migrations[step]));
        database.exec(fmt::format("PRAGMA user_version = {}", step + 1));
        transaction.commit();
    }
}

} // namespace

std::unique_ptr<SQLite::Database> open_database(const std::string& path)
{
    auto database =
        std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
    if (path != ":memory:") {
        database->exec("PRAGMA journal_mode = WAL");
        database->exec("PRAGMA synchronous = NORMAL");
    }
    database->setBusyTimeout(5000);
    migrate(*database);
    return database;
}

namespace {

incident::Incident read_incident(SQLite::Statement& query)
{
    incident::Incident row;
    row.id = query.getColumn(0).getInt64();
    row.container_id = query.getColumn(1).getString();
    row.container_name = query.getColumn(2).getString();
    row.type = classify::parse_error_type(query.getColumn(3).getString()).value_or(classify::ErrorType::config_error);
    row.severity = classify::parse_severity(query.getColumn(4).getString()).value_or(classify::Severity::error);
    row.rule = query.getColumn(5).getString();
    row.state = incident::parse_incident_state(query.getColumn(6).getString()).value_or(incident::IncidentState::open);
    row.count = query.getColumn(7).getInt();
    row.first_seen = query.getColumn(8).getInt64();
    row.last_seen = query.getColumn(9).getInt64();
    row.resolved_at = query.getColumn(10).getInt64();
    row.signal_time = query.getColumn(11).getInt64();
    row.context = from_json<classify::Context>(query.getColumn(12).getString());
    row.message = query.getColumn(13).getString();
    row.lines_before = from_json<std::vector<std::string>>(query.getColumn(14).getString());
    row.lines_after = from_json<std::vector<std::string>>(query.getColumn(15).getString());
    row.note = query.getColumn(16).getString();
    row.evidence = from_json<std::vector<std::string>>(query.getColumn(17).getString());
    row.decided = static_cast<std::size_t>(std::max<std::int64_t>(0, query.getColumn(18).getInt64()));
    row.role = classify::parse_rule_role(query.getColumn(19).getString()).value_or(classify::RuleRole::cause);
    return row;
}

constexpr std::string_view k_incident_columns =
    "id, container_id, container_name, type, severity, rule, state, count, first_seen, last_seen, resolved_at, "
    "signal_time, context, message, lines_before, lines_after, note, evidence, decided, role";

/// Binds the incident's columns (all but id) from parameter `first` on.
void bind_incident(SQLite::Statement& statement, const incident::Incident& incident, int first = 1)
{
    int index = first;
    statement.bind(index++, incident.container_id);
    statement.bind(index++, incident.container_name);
    statement.bind(index++, std::string(classify::to_string(incident.type)));
    statement.bind(index++, std::string(classify::to_string(incident.severity)));
    statement.bind(index++, incident.rule);
    statement.bind(index++, std::string(incident::to_string(incident.state)));
    statement.bind(index++, incident.count);
    statement.bind(index++, incident.first_seen);
    statement.bind(index++, incident.last_seen);
    statement.bind(index++, incident.resolved_at);
    statement.bind(index++, incident.signal_time);
    statement.bind(index++, to_json(incident.context));
    statement.bind(index++, incident.message);
    statement.bind(index++, to_json(incident.lines_before));
    statement.bind(index++, to_json(incident.lines_after));
    statement.bind(index++, incident.note);
    statement.bind(index++, to_json(incident.evidence));
    statement.bind(index++, static_cast<std::int64_t>(incident.decided));
    statement.bind(index, std::string(classify::to_string(incident.role)));
}

} // namespace

Store::Store(std::unique_ptr<Database> database, std::string degraded_reason)
    : m_database(std::move(database)), m_degraded_reason(std::move(degraded_reason))
{
}

Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::string& path)
{
    try {
        auto database = std::make_unique<Database>(Database{open_database(path)});
        return std::unique_ptr<Store>(new Store(std::move(database), {}));
    } catch (const SQLite::Exception& error) {
        auto reason =
            fmt::format("cannot use the history database '{}': {}; keeping history in memory only", path, error.what());
        spdlog::error("{}", reason);
        auto database = std::make_unique<Database>(Database{open_database(":memory:")});
        return std::unique_ptr<Store>(new Store(std::move(database), reason));
    }
}

int Store::schema_version() const
{
    return m_database->connection->execAndGet("PRAGMA user_version").getInt();
}

std::int64_t Store::insert_incident(const incident::Incident& incident)
{
    const auto id = guarded([&] {
        SQLite::Statement insert(*m_database->connection,
                                 "INSERT INTO incidents (container_id, container_name, type, severity, rule, state, "
                                 "count, first_seen, last_seen, resolved_at, signal_time, context, message, "
                                 "lines_before, lines_after, note, evidence, decided, role) VALUES "
                                 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        bind_incident(insert, incident);
        insert.exec();
        return m_database->connection->getLastInsertRowid();
    });
    auto stored = incident;
    stored.id = id;
    notify({.kind = Change::Kind::incident, .created = true, .incident = &stored});
    return id;
}

void Store::update_incident(const incident::Incident& incident)
{
    guarded([&] {
        // An upsert: after a switch to memory the row may not exist there yet.
        SQLite::Statement upsert(*m_database->connection, fmt::format("INSERT OR REPLACE INTO incidents ({}) VALUES "
                                                                      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                                                      k_incident_columns));
        upsert.bind(1, incident.id);
        bind_incident(upsert, incident, 2);
        upsert.exec();
    });
    notify({.kind = Change::Kind::incident, .created = false, .incident = &incident});
}

std::int64_t Store::insert_finding(const FindingRecord& finding)
{
    return guarded([&] {
        SQLite::Statement insert(
            *m_database->connection,
            "INSERT INTO findings (incident_id, container_id, container_name, type, rule, "
            "severity, channel, context, text, seen_at, signal_time) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        insert.bind(1, finding.incident_id);
        insert.bind(2, finding.container_id);
        insert.bind(3, finding.container_name);
        insert.bind(4, std::string(classify::to_string(finding.type)));
        insert.bind(5, finding.rule);
        insert.bind(6, std::string(classify::to_string(finding.severity)));
        insert.bind(7, std::string(classify::to_string(finding.channel)));
        insert.bind(8, to_json(finding.context));
        insert.bind(9, finding.text);
        insert.bind(10, finding.seen_at);
        insert.bind(11, finding.signal_time);
        insert.exec();
        return m_database->connection->getLastInsertRowid();
    });
}

void Store::insert_event(const ContainerEventRecord& event)
{
    guarded([&] {
        SQLite::Statement insert(*m_database->connection,
                                 "INSERT INTO container_events (container_id, container_name, action, detail, time) "
                                 "VALUES (?,?,?,?,?)");
        insert.bind(1, event.container_id);
        insert.bind(2, event.container_name);
        insert.bind(3, event.action);
        insert.bind(4, event.detail);
        insert.bind(5, event.time);
        insert.exec();
    });
}

std::vector<incident::Incident> Store::incidents(const IncidentQuery& query, std::int64_t* total)
{
    return guarded([&] {
        std::string where = " WHERE 1=1";
        if (query.open_only) {
            where += " AND state IN ('open', 'healing')";
        }
        if (query.container) {
            where += " AND (container_name = :container OR container_id = :container)";
        }
        if (total != nullptr) {
            SQLite::Statement count(*m_database->connection, "SELECT COUNT(*) FROM incidents" + where);
            if (query.container) {
                count.bind(":container", *query.container);
            }
            *total = count.executeStep() ? count.getColumn(0).getInt64() : 0;
        }
        SQLite::Statement select(*m_database->connection,
                                 fmt::format("SELECT {} FROM incidents{} ORDER BY last_seen DESC, id DESC LIMIT "
                                             ":limit OFFSET :offset",
                                             k_incident_columns, where));
        if (query.container) {
            select.bind(":container", *query.container);
        }
        const int per_page = std::clamp(query.page.per_page, 1, 500);
        select.bind(":limit", per_page);
        select.bind(":offset", (std::max(query.page.page, 1) - 1) * per_page);
        std::vector<incident::Incident> rows;
        while (select.executeStep()) {
            rows.push_back(read_incident(select));
        }
        return rows;
    });
}

std::optional<incident::Incident> Store::incident_by_id(std::int64_t id)
{
    return guarded(
        [&] { return select_by_id(*m_database->connection, "incidents", k_incident_columns, id, read_incident); });
}

namespace {

constexpr std::string_view k_finding_columns = "id, incident_id, container_id, container_name, type, rule, severity, "
                                               "channel, context, text, seen_at, signal_time";

FindingRecord read_finding(SQLite::Statement& select)
{
    FindingRecord row;
    row.id = select.getColumn(0).getInt64();
    row.incident_id = select.getColumn(1).getInt64();
    row.container_id = select.getColumn(2).getString();
    row.container_name = select.getColumn(3).getString();
    row.type = classify::parse_error_type(select.getColumn(4).getString()).value_or(row.type);
    row.rule = select.getColumn(5).getString();
    row.severity = classify::parse_severity(select.getColumn(6).getString()).value_or(row.severity);
    row.channel = classify::parse_channel(select.getColumn(7).getString()).value_or(row.channel);
    row.context = from_json<classify::Context>(select.getColumn(8).getString());
    row.text = select.getColumn(9).getString();
    row.seen_at = select.getColumn(10).getInt64();
    row.signal_time = select.getColumn(11).getInt64();
    return row;
}

/// The WHERE clause of a finding query, and its parameters bound by name.
struct FindingFilter {
    std::string where = " WHERE 1=1";
    const FindingQuery& query;

    explicit FindingFilter(const FindingQuery& finding_query) : query(finding_query)
    {
        if (query.type) {
            where += " AND type = :type";
        }
        if (query.container) {
            where += " AND (container_name = :container OR container_id = :container)";
        }
        if (query.since > 0) {
            where += " AND seen_at >= :since";
        }
        if (query.incident_id != 0) {
            where += " AND incident_id = :incident";
        }
    }

    void bind(SQLite::Statement& statement) const
    {
        if (query.type) {
            statement.bind(":type", *query.type);
        }
        if (query.container) {
            statement.bind(":container", *query.container);
        }
        if (query.since > 0) {
            statement.bind(":since", query.since);
        }
        if (query.incident_id != 0) {
            statement.bind(":incident", query.incident_id);
        }
    }
};

/// The start of the hour `time` falls in, and the 48 hours up to `now`.
constexpr incident::TimeMs k_hour_ms = 3600LL * 1000;
constexpr int k_recent_hours = 48;

incident::TimeMs hour_of(incident::TimeMs time)
{
    return time - (time % k_hour_ms);
}

} // namespace

std::vector<FindingRecord> Store::findings(const FindingQuery& query, std::int64_t* total)
{
    return guarded([&] {
        const FindingFilter filter(query);
        if (total != nullptr) {
            SQLite::Statement count(*m_database->connection, "SELECT COUNT(*) FROM findings" + filter.where);
            filter.bind(count);
            *total = count.executeStep() ? count.getColumn(0).getInt64() : 0;
        }
        const auto order = query.incident_id != 0 ? "seen_at ASC, id ASC" : "seen_at DESC, id DESC";
        SQLite::Statement select(*m_database->connection,
                                 fmt::format("SELECT {} FROM findings{} ORDER BY {} LIMIT :limit OFFSET :offset",
                                             k_finding_columns, filter.where, order));
        filter.bind(select);
        const int per_page = std::clamp(query.page.per_page, 1, 500);
        select.bind(":limit", per_page);
        select.bind(":offset", (std::max(query.page.page, 1) - 1) * per_page);
        std::vector<FindingRecord> rows;
        while (select.executeStep()) {
            rows.push_back(read_finding(select));
        }
        return rows;
    });
}

std::optional<FindingRecord> Store::finding_by_id(std::int64_t id)
{
    return guarded(
        [&] { return select_by_id(*m_database->connection, "findings", k_finding_columns, id, read_finding); });
}

Statistics Store::statistics(incident::TimeMs now)
{
    return guarded([&] {
        Statistics statistics;
        auto& connection = *m_database->connection;
        SQLite::Statement per_type(connection, "SELECT type, COUNT(*) FROM findings GROUP BY type");
        while (per_type.executeStep()) {
            statistics.per_type[per_type.getColumn(0).getString()] = per_type.getColumn(1).getInt64();
            statistics.total_findings += per_type.getColumn(1).getInt64();
        }
        SQLite::Statement per_container(connection,
                                        "SELECT container_name, COUNT(*) FROM findings GROUP BY container_name");
        while (per_container.executeStep()) {
            statistics.per_container[per_container.getColumn(0).getString()] = per_container.getColumn(1).getInt64();
        }
        SQLite::Statement per_hour(connection, "SELECT strftime('%Y-%m-%dT%H:00Z', seen_at / 1000, 'unixepoch'), "
                                               "COUNT(*) FROM findings GROUP BY 1 ORDER BY 1");
        while (per_hour.executeStep()) {
            statistics.per_hour[per_hour.getColumn(0).getString()] = per_hour.getColumn(1).getInt64();
        }
        statistics.total_incidents = connection.execAndGet("SELECT COUNT(*) FROM incidents").getInt64();
        statistics.mean_time_to_detect_ms =
            connection
                .execAndGet("SELECT COALESCE(AVG(first_seen - signal_time), 0) FROM incidents WHERE signal_time > 0")
                .getDouble();
        if (now > 0) {
            const auto first_hour = hour_of(now) - (k_recent_hours - 1) * k_hour_ms;
            for (int hour = 0; hour < k_recent_hours; ++hour) {
                statistics.recent_hours.push_back({.hour = first_hour + hour * k_hour_ms});
            }
            SQLite::Statement recent(connection, "SELECT (seen_at - seen_at % :hour) AS bucket, type, COUNT(*) FROM "
                                                 "findings WHERE seen_at >= :first GROUP BY bucket, type");
            recent.bind(":hour", k_hour_ms);
            recent.bind(":first", first_hour);
            while (recent.executeStep()) {
                const auto index = (recent.getColumn(0).getInt64() - first_hour) / k_hour_ms;
                if (index < 0 || index >= k_recent_hours) {
                    continue; // from the future: a clock set back
                }
                auto& bucket = statistics.recent_hours[static_cast<std::size_t>(index)];
                const auto count = recent.getColumn(2).getInt64();
                bucket.per_type[recent.getColumn(1).getString()] += count;
                bucket.total += count;
            }
            SQLite::Statement trend(connection, "SELECT COALESCE(SUM(seen_at >= :day), 0), COALESCE(SUM(seen_at < "
                                                ":day AND seen_at >= :two_days), 0) FROM findings");
            trend.bind(":day", now - 24 * k_hour_ms);
            trend.bind(":two_days", now - 48 * k_hour_ms);
            if (trend.executeStep()) {
                statistics.last_24h = trend.getColumn(0).getInt64();
                statistics.previous_24h = trend.getColumn(1).getInt64();
            }
        }
        return statistics;
    });
}

RecoveryStatistics Store::recovery_statistics(incident::TimeMs now)
{
    return guarded([&] {
        RecoveryStatistics statistics;
        auto& connection = *m_database->connection;
        auto add = [](Outcomes& outcomes, const std::string& state, std::int64_t count) {
            outcomes.total += count;
            (state == "succeeded" ? outcomes.succeeded : outcomes.failed) += count;
        };
        SQLite::Statement per_action(connection,
                                     "SELECT a.action, i.type, a.state, COUNT(*) FROM actions a LEFT JOIN incidents i "
                                     "ON i.id = a.incident_id WHERE a.dry_run = 0 AND a.state IN ('succeeded', "
                                     "'failed') GROUP BY 1, 2, 3");
        while (per_action.executeStep()) {
            const auto state = per_action.getColumn(2).getString();
            const auto count = per_action.getColumn(3).getInt64();
            add(statistics.overall, state, count);
            add(statistics.per_action[per_action.getColumn(0).getString()], state, count);
            if (!per_action.getColumn(1).isNull()) {
                add(statistics.per_type[per_action.getColumn(1).getString()], state, count);
            }
        }
        SQLite::Statement recover(connection,
                                  "SELECT AVG(resolved_at - first_seen), COUNT(*) FROM incidents WHERE state = "
                                  "'resolved' AND resolved_at >= first_seen AND id IN (SELECT incident_id FROM actions "
                                  "WHERE dry_run = 0)");
        if (recover.executeStep() && recover.getColumn(1).getInt64() > 0) {
            statistics.mean_time_to_recover_ms = recover.getColumn(0).getDouble();
        }
        const auto first_hour = hour_of(now) - (k_recent_hours - 1) * k_hour_ms;
        for (int hour = 0; hour < k_recent_hours; ++hour) {
            statistics.recent_hours.push_back({.hour = first_hour + hour * k_hour_ms});
        }
        SQLite::Statement recent(connection, "SELECT (started_at - started_at % :hour) AS bucket, state, COUNT(*) FROM "
                                             "actions WHERE started_at >= :first AND dry_run = 0 AND state IN "
                                             "('succeeded', 'failed') GROUP BY bucket, state");
        recent.bind(":hour", k_hour_ms);
        recent.bind(":first", first_hour);
        while (recent.executeStep()) {
            const auto index = (recent.getColumn(0).getInt64() - first_hour) / k_hour_ms;
            if (index < 0 || index >= k_recent_hours) {
                continue;
            }
            auto& bucket = statistics.recent_hours[static_cast<std::size_t>(index)];
            (recent.getColumn(1).getString() == "succeeded" ? bucket.succeeded : bucket.failed) +=
                recent.getColumn(2).getInt64();
        }
        return statistics;
    });
}

std::int64_t Store::insert_examination(const ExaminationRecord& record)
{
    return guarded([&] {
        SQLite::Statement insert(*m_database->connection,
                                 "INSERT INTO examinations (container_id, container_name, examined_at, failed, body) "
                                 "VALUES (?,?,?,?,?)");
        insert.bind(1, record.container_id);
        insert.bind(2, record.container_name);
        insert.bind(3, record.examined_at);
        insert.bind(4, record.failed);
        insert.bind(5, record.body);
        insert.exec();
        return m_database->connection->getLastInsertRowid();
    });
}

std::optional<ExaminationRecord> Store::latest_examination(const std::string& container)
{
    return guarded([&]() -> std::optional<ExaminationRecord> {
        SQLite::Statement select(*m_database->connection,
                                 "SELECT id, container_id, container_name, examined_at, failed, body FROM examinations "
                                 "WHERE container_name = :container OR container_id = :container ORDER BY examined_at "
                                 "DESC, id DESC LIMIT 1");
        select.bind(":container", container);
        if (!select.executeStep()) {
            return std::nullopt;
        }
        ExaminationRecord record;
        record.id = select.getColumn(0).getInt64();
        record.container_id = select.getColumn(1).getString();
        record.container_name = select.getColumn(2).getString();
        record.examined_at = select.getColumn(3).getInt64();
        record.failed = select.getColumn(4).getInt();
        record.body = select.getColumn(5).getString();
        return record;
    });
}

void Store::apply_retention(const Retention& retention, incident::TimeMs now)
{
    guarded([&] {
        auto& connection = *m_database->connection;
        const auto cutoff = now - retention.max_age_ms;
        SQLite::Transaction transaction(connection);
        connection.exec(fmt::format("DELETE FROM findings WHERE seen_at < {}", cutoff));
        connection.exec(fmt::format("DELETE FROM container_events WHERE time < {}", cutoff));
        connection.exec(fmt::format("DELETE FROM examinations WHERE examined_at < {}", cutoff));
        connection.exec(fmt::format("DELETE FROM examinations WHERE id NOT IN (SELECT id FROM examinations ORDER BY "
                                    "id DESC LIMIT {})",
                                    retention.max_events));
        connection.exec(
            fmt::format("DELETE FROM incidents WHERE last_seen < {} AND state NOT IN ('open', 'healing')", cutoff));
        connection.exec(fmt::format("DELETE FROM findings WHERE id NOT IN (SELECT id FROM findings ORDER BY id DESC "
                                    "LIMIT {})",
                                    retention.max_findings));
        connection.exec(fmt::format("DELETE FROM container_events WHERE id NOT IN (SELECT id FROM container_events "
                                    "ORDER BY id DESC LIMIT {})",
                                    retention.max_events));
        transaction.commit();
    });
}

} // namespace medic::store
