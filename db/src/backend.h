#pragma once
// What one store backend provides: a connection that runs statements and
// transactions, and statements with ?N parameters. Private to db/.
// sqlite_backend.cpp and postgres_backend.cpp implement it; the repositories
// see only Statement (statement.h) and Database.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "flowseg/db/database.h"

struct pg_conn;

namespace flowseg::db::detail {

class StatementImpl {
public:
    virtual ~StatementImpl() = default;
    virtual void bindInteger(int index, std::int64_t value) = 0;
    virtual void bindReal(int index, double value) = 0;
    virtual void bindText(int index, const std::string& value) = 0;
    virtual void bindBlob(int index, const std::vector<std::uint8_t>& value) = 0;
    virtual void bindNull(int index) = 0;
    /// True when a row is available, false when done.
    virtual bool step() = 0;
    /// Ready to run again; clears the bindings.
    virtual void reset() = 0;
    /// Rows changed by the last INSERT/UPDATE/DELETE run to completion.
    [[nodiscard]] virtual std::int64_t changes() const = 0;
    [[nodiscard]] virtual std::int64_t integer(int column) const = 0;
    [[nodiscard]] virtual double real(int column) const = 0;
    [[nodiscard]] virtual std::string text(int column) const = 0;
    [[nodiscard]] virtual std::vector<std::uint8_t> blob(int column) const = 0;
    [[nodiscard]] virtual bool isNull(int column) const = 0;
};

class Connection {
public:
    virtual ~Connection() = default;
    [[nodiscard]] virtual Backend backend() const = 0;
    /// `sql` is written for SQLite with ?N parameters; a backend translates it.
    virtual std::unique_ptr<StatementImpl> prepare(const std::string& sql) = 0;
    virtual void execute(const std::string& sql) = 0;
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    [[nodiscard]] virtual bool inTransaction() const = 0;
    /// Runs `work` between begin() and commit(); rolls back when it throws.
    void transaction(const std::function<void()>& work) {
        begin();
        try {
            work();
            commit();
        } catch (...) {
            rollback();
            throw;
        }
    }
    [[nodiscard]] virtual int schemaVersion() = 0;
    /// The login on a server; empty on SQLite (the signed-in name is the app's).
    [[nodiscard]] virtual std::string currentUser() = 0;
};

std::unique_ptr<Connection> openSqlite(const std::string& path, OpenMode mode);
std::unique_ptr<Connection> openPostgres(const std::string& uri, OpenMode mode);

/// The raw handles, for what only one backend has (backup, accounts, LISTEN).
sqlite3* sqliteHandle(const Connection& connection);
pg_conn* postgresHandle(const Connection& connection);

/// A server location without its password, for messages and path().
std::string redactedLocation(const std::string& uri);

}  // namespace flowseg::db::detail
