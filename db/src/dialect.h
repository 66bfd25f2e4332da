#pragma once
// One description of the schema and the queries for both backends. Migrations
// and queries are written in SQLite's dialect; for PostgreSQL they are
// translated here: column types (INTEGER PRIMARY KEY -> identity BIGINT,
// INTEGER -> BIGINT, REAL -> DOUBLE PRECISION, BLOB -> BYTEA), the UTC time
// stamp expression, and ?N parameters -> $N. What exists on one backend only
// (SQLite pragmas and triggers; PostgreSQL roles, row-level security, trigger
// functions) sits in a migration between `-- @sqlite` or `-- @postgres` and
// `-- @end` lines, kept for that backend and dropped for the other.

#include <string>
#include <vector>

#include "flowseg/db/database.h"

namespace flowseg::db::detail {

/// The migration's SQL for `backend`.
[[nodiscard]] std::string migrationFor(const std::string& sql, Backend backend);
/// A query's SQL for `backend`.
[[nodiscard]] std::string queryFor(const std::string& sql, Backend backend);
/// migrations() translated for `backend`.
[[nodiscard]] const std::vector<std::string>& migrationsFor(Backend backend);

/// SQLite's UTC time stamp expression as written in the schema and queries.
inline constexpr const char* kSqliteNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
/// The same text time stamp on PostgreSQL.
inline constexpr const char* kPostgresNow =
    "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

}  // namespace flowseg::db::detail
