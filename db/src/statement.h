#pragma once
// A prepared statement on either backend (?N parameters, SQLite's dialect; see
// dialect.h), and SQLite's own statement and error mapping. Private to db/.

#include <sqlite3.h>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend.h"
#include "flowseg/db/database.h"

namespace flowseg::db {

/// Throws DatabaseError when rc is not OK/ROW/DONE; `what` says what was being done.
void check(int rc, sqlite3* db, const std::string& what);
DatabaseError errorFor(int rc, sqlite3* db, const std::string& what);

class Statement {
public:
    Statement(const Database& db, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, const std::vector<std::uint8_t>& blob);
    Statement& bind(int index, std::optional<std::int64_t> value);
    Statement& bindNull(int index);

    /// True when a row is available, false when done.
    bool step();
    /// Steps to completion; for statements without results.
    void run();
    /// For INSERT ... RETURNING id: steps to completion and returns the id.
    std::int64_t returnedId();
    void reset();
    /// Rows the last INSERT/UPDATE/DELETE changed.
    [[nodiscard]] std::int64_t changes() const;

    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::vector<std::uint8_t> blob(int column) const;
    [[nodiscard]] std::optional<std::int64_t> optionalInteger(int column) const;
    [[nodiscard]] bool isNull(int column) const;

private:
    std::unique_ptr<detail::StatementImpl> m_impl;
};

/// A statement on an SQLite handle (the SQLite backend, and maintenance's pragmas).
class SqliteStatement final : public detail::StatementImpl {
public:
    SqliteStatement(sqlite3* db, const char* sql);
    ~SqliteStatement() override;
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    void bindInteger(int index, std::int64_t value) override;
    void bindReal(int index, double value) override;
    void bindText(int index, const std::string& value) override;
    void bindBlob(int index, const std::vector<std::uint8_t>& value) override;
    void bindNull(int index) override;
    bool step() override;
    void reset() override;
    [[nodiscard]] std::int64_t changes() const override;
    [[nodiscard]] std::int64_t integer(int column) const override;
    [[nodiscard]] double real(int column) const override;
    [[nodiscard]] std::string text(int column) const override;
    [[nodiscard]] std::vector<std::uint8_t> blob(int column) const override;
    [[nodiscard]] bool isNull(int column) const override;

private:
    sqlite3* m_db;
    sqlite3_stmt* m_statement = nullptr;
    std::int64_t m_changes = 0;
};

}  // namespace flowseg::db
