#pragma once
// The SQL of db/migrations/*.sql, embedded at build time (see db/CMakeLists.txt).

#include <string>
#include <vector>

namespace flowseg::db {

/// migrations()[k] takes a database from schema version k to k + 1.
const std::vector<std::string>& migrations();

}  // namespace flowseg::db
