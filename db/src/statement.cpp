#include "statement.h"

namespace flowseg::db {

DatabaseError errorFor(int rc, sqlite3* db, const std::string& what) {
    const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const std::string file =
        db && sqlite3_db_filename(db, "main") ? sqlite3_db_filename(db, "main") : "";
    const std::string where = file.empty() ? "" : " in '" + file + "'";
    using K = DatabaseError::Kind;
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return {K::Locked,
                    what + ": the database" + where +
                        " is busy (another FlowSeg window or process is writing); try again"};
        case SQLITE_READONLY:
            return {K::ReadOnly,
                    what + ": the database" + where + " is read-only (" + detail + ")"};
        case SQLITE_CORRUPT:
            return {K::Corrupt, what + ": the database" + where + " is corrupt (" + detail +
                                    "); restore it from a backup with `flowseg db restore`"};
        case SQLITE_NOTADB:
            return {K::NotADatabase, what + ": '" + file + "' is not a FlowSeg database"};
        case SQLITE_CONSTRAINT:
            return {K::Constraint, what + ": " + detail};
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
            return {K::Io, what + ": " + detail + where};
        default:
            return {K::Other, what + ": " + detail + where};
    }
}

void check(int rc, sqlite3* db, const std::string& what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    throw errorFor(rc, db, what);
}

// ---- Statement: the backend's statement behind one interface ----

Statement::Statement(const Database& db, const std::string& sql)
    : m_impl(db.connection().prepare(sql)) {}
Statement::~Statement() = default;

Statement& Statement::bind(int index, std::int64_t value) {
    m_impl->bindInteger(index, value);
    return *this;
}
Statement& Statement::bind(int index, double value) {
    m_impl->bindReal(index, value);
    return *this;
}
Statement& Statement::bind(int index, const std::string& value) {
    m_impl->bindText(index, value);
    return *this;
}
Statement& Statement::bind(int index, const std::vector<std::uint8_t>& blob) {
    m_impl->bindBlob(index, blob);
    return *this;
}
Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
    return value ? bind(index, *value) : bindNull(index);
}
Statement& Statement::bindNull(int index) {
    m_impl->bindNull(index);
    return *this;
}
bool Statement::step() { return m_impl->step(); }
void Statement::run() {
    while (step()) {
    }
}
std::int64_t Statement::returnedId() {
    if (!step())
        throw DatabaseError(DatabaseError::Kind::Other, "the statement returned no row id");
    const auto id = integer(0);
    run();
    return id;
}
void Statement::reset() { m_impl->reset(); }
std::int64_t Statement::changes() const { return m_impl->changes(); }
std::int64_t Statement::integer(int column) const { return m_impl->integer(column); }
double Statement::real(int column) const { return m_impl->real(column); }
std::string Statement::text(int column) const { return m_impl->text(column); }
std::vector<std::uint8_t> Statement::blob(int column) const { return m_impl->blob(column); }
std::optional<std::int64_t> Statement::optionalInteger(int column) const {
    if (isNull(column)) return std::nullopt;
    return integer(column);
}
bool Statement::isNull(int column) const { return m_impl->isNull(column); }

// ---- SqliteStatement ----

SqliteStatement::SqliteStatement(sqlite3* db, const char* sql) : m_db(db) {
    check(sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr), db, "preparing a query");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(m_statement); }

void SqliteStatement::bindInteger(int index, std::int64_t value) {
    check(sqlite3_bind_int64(m_statement, index, value), m_db, "binding a value");
}
void SqliteStatement::bindReal(int index, double value) {
    check(sqlite3_bind_double(m_statement, index, value), m_db, "binding a value");
}
void SqliteStatement::bindText(int index, const std::string& value) {
    check(sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT),
          m_db, "binding a value");
}
void SqliteStatement::bindBlob(int index, const std::vector<std::uint8_t>& value) {
    check(sqlite3_bind_blob(m_statement, index, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT),
          m_db, "binding a value");
}
void SqliteStatement::bindNull(int index) {
    check(sqlite3_bind_null(m_statement, index), m_db, "binding a value");
}

bool SqliteStatement::step() {
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
        m_changes = sqlite3_changes(m_db);
        return false;
    }
    throw errorFor(rc, m_db, "running a query");
}

void SqliteStatement::reset() {
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

std::int64_t SqliteStatement::changes() const { return m_changes; }
std::int64_t SqliteStatement::integer(int column) const {
    return sqlite3_column_int64(m_statement, column);
}
double SqliteStatement::real(int column) const {
    return sqlite3_column_double(m_statement, column);
}
std::string SqliteStatement::text(int column) const {
    const auto* p = sqlite3_column_text(m_statement, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(m_statement, column)))
             : std::string();
}
std::vector<std::uint8_t> SqliteStatement::blob(int column) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_statement, column));
    const int n = sqlite3_column_bytes(m_statement, column);
    return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}
bool SqliteStatement::isNull(int column) const {
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

}  // namespace flowseg::db
