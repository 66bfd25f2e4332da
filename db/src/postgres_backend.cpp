// The PostgreSQL backend: libpq, text results, binary BYTEA parameters. The
// schema's version lives in flowseg_meta; migrations run under an advisory lock
// so that two workstations opening a new store at once migrate it once.

#include <libpq-fe.h>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>

#include "backend.h"
#include "dialect.h"
#include "statement.h"

namespace flowseg::db::detail {

namespace {

using Kind = DatabaseError::Kind;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

bool startsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// The connection is gone (libpq may not have marked it bad yet when a send
// failed): a failed result without an SQLSTATE comes from the client side.
bool connectionLost(PGconn* conn, const PGresult* result) {
    if (PQstatus(conn) == CONNECTION_BAD) return true;
    const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    return status == PGRES_FATAL_ERROR &&
           (!result || PQresultErrorField(result, PG_DIAG_SQLSTATE) == nullptr);
}

DatabaseError serverError(PGconn* conn, const PGresult* result, const std::string& what,
                          const std::string& where) {
    const std::string detail =
        trimmed(result && *PQresultErrorMessage(result) ? PQresultErrorMessage(result)
                                                        : PQerrorMessage(conn));
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state ? state : "";
    if (connectionLost(conn, result) || startsWith(code, "08") || startsWith(code, "57P"))
        return {Kind::Unreachable,
                what + ": the server " + where + " does not answer (" + detail +
                    "); check that it runs and that this workstation can reach it"};
    if (code == "42501")
        return {Kind::AccessDenied,
                what + ": " + detail +
                    " (this login's role does not allow it; an administrator can grant the role "
                    "with `flowseg db user role`)"};
    if (startsWith(code, "23")) return {Kind::Constraint, what + ": " + detail};
    if (code == "40001" || code == "40P01" || code == "55P03")
        return {Kind::Locked, what + ": " + detail + " on " + where + "; try again"};
    if (startsWith(code, "53")) return {Kind::Io, what + ": the server " + where + ": " + detail};
    if (code == "XX001" || code == "XX002")
        return {Kind::Corrupt, what + ": the server " + where + " reports damaged data (" + detail +
                                   "); restore the store from its backup"};
    if (code == "25006")
        return {Kind::ReadOnly, what + ": the store " + where + " was opened read-only"};
    return {Kind::Other, what + ": " + detail + " (" + where + ")"};
}

void quietNotices(void* /*arg*/, const char* /*message*/) {}

// A connection the server dropped (restarted, network gone) is opened again
// with the same parameters, and its session settings applied again. False
// when the server still does not answer.
bool reconnect(PGconn* conn, const std::string& setup) {
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) return false;
    PQsetNoticeProcessor(conn, quietNotices, nullptr);
    PQclear(PQexec(conn, setup.c_str()));
    return true;
}

// Runs what `send` sends and checks its result. Outside a transaction a
// statement may simply run again on a new connection, so one that finds the
// connection gone reconnects and is sent once more; inside one, the caller's
// transaction is lost and the error (Unreachable) says so.
Result sendRetrying(PGconn* conn, const std::string& setup, const std::function<PGresult*()>& send,
                    const std::string& what, const std::string& where) {
    const bool alone =
        PQtransactionStatus(conn) == PQTRANS_IDLE || PQstatus(conn) == CONNECTION_BAD;
    if (alone && PQstatus(conn) == CONNECTION_BAD) reconnect(conn, setup);
    Result result(send());
    if (alone && connectionLost(conn, result.get()) && reconnect(conn, setup)) result.reset(send());
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw serverError(conn, result.get(), what, where);
    return result;
}

class PostgresStatement final : public StatementImpl {
public:
    /// `where` and `setup` belong to the connection, which outlives its statements.
    PostgresStatement(PGconn* conn, std::string sql, const std::string& where,
                      const std::string& setup)
        : m_conn(conn), m_sql(std::move(sql)), m_where(where), m_setup(setup) {}

    void bindInteger(int index, std::int64_t value) override {
        set(index, std::to_string(value), 0);
    }
    void bindReal(int index, double value) override {
        char text[32];
        std::snprintf(text, sizeof text, "%.17g", value);
        set(index, text, 0);
    }
    void bindText(int index, const std::string& value) override { set(index, value, 0); }
    void bindBlob(int index, const std::vector<std::uint8_t>& value) override {
        set(index, std::string(value.begin(), value.end()), 1);
    }
    void bindNull(int index) override {
        grow(index);
        m_values[static_cast<size_t>(index - 1)].reset();
    }

    bool step() override {
        if (!m_result) run();
        ++m_row;
        return m_row < PQntuples(m_result.get());
    }
    void reset() override {
        m_result.reset();
        m_values.clear();
        m_formats.clear();
        m_row = -1;
    }
    [[nodiscard]] std::int64_t changes() const override { return m_changes; }
    [[nodiscard]] std::int64_t integer(int column) const override {
        return std::strtoll(value(column), nullptr, 10);
    }
    [[nodiscard]] double real(int column) const override {
        return std::strtod(value(column), nullptr);
    }
    [[nodiscard]] std::string text(int column) const override {
        return {value(column), static_cast<size_t>(PQgetlength(m_result.get(), m_row, column))};
    }
    [[nodiscard]] std::vector<std::uint8_t> blob(int column) const override {
        if (isNull(column)) return {};
        size_t length = 0;
        unsigned char* bytes =
            PQunescapeBytea(reinterpret_cast<const unsigned char*>(value(column)), &length);
        if (!bytes) throw DatabaseError(Kind::Other, "out of memory reading a stored mask");
        std::vector<std::uint8_t> out(bytes, bytes + length);
        PQfreemem(bytes);
        return out;
    }
    [[nodiscard]] bool isNull(int column) const override {
        return PQgetisnull(m_result.get(), m_row, column) != 0;
    }

private:
    void grow(int index) {
        if (index < 1) throw DatabaseError(Kind::Other, "parameter index below 1");
        if (m_values.size() < static_cast<size_t>(index)) {
            m_values.resize(static_cast<size_t>(index));
            m_formats.resize(static_cast<size_t>(index), 0);
        }
    }
    void set(int index, std::string value, int format) {
        grow(index);
        m_values[static_cast<size_t>(index - 1)] = std::move(value);
        m_formats[static_cast<size_t>(index - 1)] = format;
    }
    void run() {
        std::vector<const char*> values;
        std::vector<int> lengths;
        for (const auto& v : m_values) {
            values.push_back(v ? v->data() : nullptr);
            lengths.push_back(v ? static_cast<int>(v->size()) : 0);
        }
        m_result.reset();
        m_result = sendRetrying(
            m_conn, m_setup,
            [&] {
                return PQexecParams(m_conn, m_sql.c_str(), static_cast<int>(values.size()), nullptr,
                                    values.data(), lengths.data(), m_formats.data(), 0);
            },
            "running a query", m_where);
        const char* tuples = PQcmdTuples(m_result.get());
        m_changes = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
        m_row = -1;
    }
    [[nodiscard]] const char* value(int column) const {
        return PQgetvalue(m_result.get(), m_row, column);
    }

    PGconn* m_conn;
    std::string m_sql;
    const std::string& m_where;
    const std::string& m_setup;
    std::vector<std::optional<std::string>> m_values;
    std::vector<int> m_formats;
    Result m_result;
    int m_row = -1;
    std::int64_t m_changes = 0;
};

class PostgresConnection final : public Connection {
public:
    PostgresConnection(PGconn* conn, std::string where) : m_conn(conn), m_where(std::move(where)) {}
    ~PostgresConnection() override { PQfinish(m_conn); }
    PostgresConnection(const PostgresConnection&) = delete;
    PostgresConnection& operator=(const PostgresConnection&) = delete;

    [[nodiscard]] Backend backend() const override { return Backend::Postgres; }
    std::unique_ptr<StatementImpl> prepare(const std::string& sql) override {
        return std::make_unique<PostgresStatement>(m_conn, queryFor(sql, Backend::Postgres),
                                                   m_where, m_setup);
    }
    void execute(const std::string& sql) override { exec(sql, "updating the database"); }
    void begin() override { exec("BEGIN", "starting a transaction"); }
    /// Session settings, applied again after a reconnection.
    void addSetup(const std::string& sql) {
        m_setup += sql + ";";
        exec(sql, "opening the store");
    }
    void commit() override { exec("COMMIT", "committing"); }
    void rollback() noexcept override { PQclear(PQexec(m_conn, "ROLLBACK")); }
    [[nodiscard]] bool inTransaction() const override {
        const auto status = PQtransactionStatus(m_conn);
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
    }
    [[nodiscard]] int schemaVersion() override {
        if (single("SELECT to_regclass('flowseg_meta') IS NULL") == "t") return 0;
        return std::atoi(
            single("SELECT value FROM flowseg_meta WHERE key = 'schema_version'").c_str());
    }
    /// The login, read once when the connection opened (a session cannot change it).
    [[nodiscard]] std::string currentUser() override { return m_login; }

    [[nodiscard]] PGconn* handle() const { return m_conn; }
    void readLogin() { m_login = single("SELECT session_user"); }

    /// The first column of the first row ("" when none).
    std::string single(const std::string& sql) {
        const auto result = exec(sql, "reading the store");
        return PQntuples(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0) : "";
    }

    Result exec(const std::string& sql, const std::string& what) {
        return sendRetrying(
            m_conn, m_setup, [&] { return PQexec(m_conn, sql.c_str()); }, what, m_where);
    }

    void checkAndMigrate(OpenMode mode) {
        const auto fail = [&](Kind kind, const std::string& why) {
            throw DatabaseError(kind, "cannot open the store " + m_where + ": " + why);
        };
        const bool hasMeta = single("SELECT to_regclass('flowseg_meta') IS NOT NULL") == "t";
        if (!hasMeta) {
            const auto tables =
                std::atoi(single("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                                 "current_schema()")
                              .c_str());
            if (tables > 0)
                fail(Kind::Foreign,
                     "the database holds tables of another application, not a FlowSeg store "
                     "(create an empty one with `createdb`)");
            if (mode != OpenMode::Create)
                fail(Kind::NotFound,
                     "the database holds no FlowSeg store yet (create it with `flowseg db init "
                     "--db URI` as the department's administrator)");
        } else if (single("SELECT value FROM flowseg_meta WHERE key = 'application'") !=
                   "FlowSeg Review") {
            fail(Kind::Foreign, "it is the store of another application");
        }
        const int latest = Database::latestSchemaVersion();
        int version = schemaVersion();
        if (version > latest)
            fail(Kind::NewerSchema, "it was written by a newer FlowSeg (schema " +
                                        std::to_string(version) + "; this version knows up to " +
                                        std::to_string(latest) +
                                        "); update FlowSeg Review to open it");
        if (mode == OpenMode::ReadOnly) {
            if (version < latest)
                fail(Kind::ReadOnly,
                     "it has an older schema; the administrator must open it read-write once "
                     "(`flowseg db init --db URI`) to upgrade it");
            addSetup("SET default_transaction_read_only = on");
            return;
        }
        if (version == latest) return;
        try {
            transaction([&] {
                // One workstation migrates; the others wait here and find it done.
                exec("SELECT pg_advisory_xact_lock(" + std::to_string(kApplicationId) + ")",
                     "waiting for another workstation's upgrade");
                exec(
                    "CREATE TABLE IF NOT EXISTS flowseg_meta (key TEXT PRIMARY KEY, value TEXT NOT "
                    "NULL); GRANT SELECT ON flowseg_meta TO PUBLIC; INSERT INTO flowseg_meta "
                    "VALUES "
                    "('application', 'FlowSeg Review'), ('schema_version', '0') ON CONFLICT (key) "
                    "DO NOTHING",
                    "creating the store");
                version = schemaVersion();
                const auto& steps = migrationsFor(Backend::Postgres);
                for (; version < latest; ++version) {
                    exec(steps[static_cast<size_t>(version)],
                         "upgrading the store to schema " + std::to_string(version + 1));
                    exec("UPDATE flowseg_meta SET value = '" + std::to_string(version + 1) +
                             "' WHERE key = 'schema_version'",
                         "upgrading the store");
                }
            });
        } catch (const DatabaseError& e) {
            if (e.kind() != Kind::AccessDenied) throw;
            throw DatabaseError(Kind::AccessDenied,
                                "cannot open the store " + m_where +
                                    ": it needs an upgrade this login may not make; ask the "
                                    "administrator to run `flowseg db init --db URI` (" +
                                    e.what() + ")");
        }
    }

private:
    PGconn* m_conn;
    std::string m_where;
    std::string m_setup;
    std::string m_login;
};

}  // namespace

std::string redactedLocation(const std::string& uri) {
    std::string out = uri;
    const auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        const auto at = out.find('@', scheme + 3);
        const auto slash = out.find('/', scheme + 3);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            const auto colon = out.find(':', scheme + 3);
            if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
        }
    }
    const auto password = out.find("password=");
    if (password != std::string::npos) {
        const auto end = out.find('&', password);
        out.erase(password == 0 ? 0 : password - 1, (end == std::string::npos ? out.size() : end) -
                                                        (password == 0 ? 0 : password - 1));
    }
    return out;
}

std::unique_ptr<Connection> openPostgres(const std::string& uri, OpenMode mode) {
    const std::string where = "'" + redactedLocation(uri) + "'";
    // Defaults first: what the URI says overrides them (expand_dbname).
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "FlowSeg Review", uri.c_str(), nullptr};
    PGconn* raw = PQconnectdbParams(keys, values, 1);
    if (!raw) throw DatabaseError(Kind::Other, "cannot open " + where + ": out of memory");
    auto connection = std::make_unique<PostgresConnection>(raw, where);
    if (PQstatus(raw) != CONNECTION_OK) {
        const std::string detail = trimmed(PQerrorMessage(raw));
        if (detail.find("password") != std::string::npos ||
            detail.find("authentication") != std::string::npos)
            throw DatabaseError(Kind::AccessDenied,
                                "cannot sign in to " + where + ": " + detail +
                                    " (check the user name and the password: PGPASSWORD, "
                                    "~/.pgpass or the URI)");
        if (detail.find("database") != std::string::npos &&
            detail.find("does not exist") != std::string::npos)
            throw DatabaseError(Kind::NotFound, "cannot open " + where + ": " + detail +
                                                    " (the administrator creates it with "
                                                    "`createdb`, then `flowseg db init`)");
        throw DatabaseError(Kind::Unreachable,
                            "cannot reach the server " + where + ": " + detail +
                                " (check that it runs, and the host, port or socket folder)");
    }
    PQsetNoticeProcessor(raw, quietNotices, nullptr);
    connection->addSetup("SET client_min_messages = warning");
    connection->readLogin();
    connection->checkAndMigrate(mode);
    return connection;
}

pg_conn* postgresHandle(const Connection& connection) {
    const auto* postgres = dynamic_cast<const PostgresConnection*>(&connection);
    return postgres ? postgres->handle() : nullptr;
}

}  // namespace flowseg::db::detail
