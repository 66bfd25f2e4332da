#pragma once
// RAII prepared statement and SQLite error mapping, private to db/.

#include <sqlite3.h>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/db/database.h"

namespace flowseg::db {

/// Throws DatabaseError when rc is not OK/ROW/DONE; `what` says what was being done.
void check(int rc, sqlite3* db, const std::string& what);
DatabaseError errorFor(int rc, sqlite3* db, const std::string& what);

class Statement {
public:
    Statement(sqlite3* db, const char* sql);
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

    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::vector<std::uint8_t> blob(int column) const;
    [[nodiscard]] std::optional<std::int64_t> optionalInteger(int column) const;
    [[nodiscard]] bool isNull(int column) const;

private:
    sqlite3* m_db;
    sqlite3_stmt* m_statement = nullptr;
    std::string m_sql;
};

}  // namespace flowseg::db
