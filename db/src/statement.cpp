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

Statement::Statement(sqlite3* db, const char* sql) : m_db(db), m_sql(sql) {
    check(sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr), db, "preparing a query");
}

Statement::~Statement() { sqlite3_finalize(m_statement); }

Statement& Statement::bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(m_statement, index, value), m_db, "binding a value");
    return *this;
}
Statement& Statement::bind(int index, double value) {
    check(sqlite3_bind_double(m_statement, index, value), m_db, "binding a value");
    return *this;
}
Statement& Statement::bind(int index, const std::string& value) {
    check(sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT),
          m_db, "binding a value");
    return *this;
}
Statement& Statement::bind(int index, const std::vector<std::uint8_t>& blob) {
    check(sqlite3_bind_blob(m_statement, index, blob.data(), static_cast<int>(blob.size()),
                            SQLITE_TRANSIENT),
          m_db, "binding a value");
    return *this;
}
Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
    return value ? bind(index, *value) : bindNull(index);
}
Statement& Statement::bindNull(int index) {
    check(sqlite3_bind_null(m_statement, index), m_db, "binding a value");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw errorFor(rc, m_db, "running a query");
}

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

void Statement::reset() {
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(m_statement, column);
}
double Statement::real(int column) const { return sqlite3_column_double(m_statement, column); }
std::string Statement::text(int column) const {
    const auto* p = sqlite3_column_text(m_statement, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(m_statement, column)))
             : std::string();
}
std::vector<std::uint8_t> Statement::blob(int column) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_statement, column));
    const int n = sqlite3_column_bytes(m_statement, column);
    return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}
std::optional<std::int64_t> Statement::optionalInteger(int column) const {
    if (isNull(column)) return std::nullopt;
    return integer(column);
}
bool Statement::isNull(int column) const {
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

}  // namespace flowseg::db
