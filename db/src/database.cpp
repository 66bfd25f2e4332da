#include "flowseg/db/database.h"

#include <sqlite3.h>
#include <utility>

#include "backend.h"
#include "migrations.h"

namespace flowseg::db {

using Kind = DatabaseError::Kind;

Database::Database(std::unique_ptr<detail::Connection> connection, std::string path, bool readOnly)
    : m_connection(std::move(connection)), m_path(std::move(path)), m_readOnly(readOnly) {}

Database::Database(Database&& other) noexcept = default;
Database& Database::operator=(Database&& other) noexcept = default;
Database::~Database() = default;

int Database::latestSchemaVersion() { return static_cast<int>(migrations().size()); }

bool Database::isServerLocation(const std::string& location) {
    return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

Database Database::open(const std::string& location, OpenMode mode) {
    if (isServerLocation(location))
        return {detail::openPostgres(location, mode), detail::redactedLocation(location),
                mode == OpenMode::ReadOnly};
    return {detail::openSqlite(location, mode), location, mode == OpenMode::ReadOnly};
}

int Database::schemaVersion() const { return m_connection->schemaVersion(); }
Backend Database::backend() const { return m_connection->backend(); }
std::string Database::currentUser() const { return m_connection->currentUser(); }
sqlite3* Database::handle() const { return detail::sqliteHandle(*m_connection); }

void Database::execute(const std::string& sql) { m_connection->execute(sql); }

void Database::transaction(const std::function<void()>& work) {
    if (m_readOnly)
        throw DatabaseError(Kind::ReadOnly, "the database '" + m_path + "' was opened read-only");
    if (m_connection->inTransaction()) {  // already inside a transaction: join it
        work();
        return;
    }
    m_connection->transaction(work);
}

std::string sqliteVersion() { return sqlite3_libversion(); }

}  // namespace flowseg::db
