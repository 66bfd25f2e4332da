#include <sqlite3.h>
#include <unistd.h>
#include <cstdio>
#include <filesystem>

#include "backend.h"
#include "dialect.h"
#include "statement.h"

namespace flowseg::db::detail {

namespace fs = std::filesystem;
using Kind = DatabaseError::Kind;

namespace {

std::int64_t pragmaInteger(sqlite3* db, const char* sql) {
    SqliteStatement s(db, sql);
    return s.step() ? s.integer(0) : 0;
}

class SqliteConnection final : public Connection {
public:
    explicit SqliteConnection(sqlite3* db) : m_db(db) {}
    ~SqliteConnection() override { sqlite3_close_v2(m_db); }
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    [[nodiscard]] Backend backend() const override { return Backend::Sqlite; }
    std::unique_ptr<StatementImpl> prepare(const std::string& sql) override {
        return std::make_unique<SqliteStatement>(m_db, sql.c_str());
    }
    void execute(const std::string& sql) override {
        char* message = nullptr;
        const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message);
        if (message) sqlite3_free(message);
        check(rc, m_db, "updating the database");
    }
    void begin() override { execute("BEGIN IMMEDIATE"); }
    void commit() override { execute("COMMIT"); }
    void rollback() noexcept override { sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr); }
    [[nodiscard]] bool inTransaction() const override { return sqlite3_get_autocommit(m_db) == 0; }
    [[nodiscard]] int schemaVersion() override {
        return static_cast<int>(pragmaInteger(m_db, "PRAGMA user_version"));
    }
    [[nodiscard]] std::string currentUser() override { return {}; }
    [[nodiscard]] sqlite3* handle() const { return m_db; }

    void migrate() {
        const auto& steps = migrationsFor(Backend::Sqlite);
        for (int version = schemaVersion(); version < static_cast<int>(steps.size()); ++version)
            transaction([&] {
                execute(steps[static_cast<size_t>(version)]);
                execute("PRAGMA user_version = " + std::to_string(version + 1));
            });
    }

private:
    sqlite3* m_db;
};

std::string describe(const std::string& path) { return "'" + path + "'"; }

// file: URI of a path, escaping the characters URIs reserve.
std::string fileUri(const std::string& path, const char* query) {
    std::string uri = "file:";
    for (const char c : fs::absolute(path).string()) {
        if (c == '%' || c == '?' || c == '#') {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
            uri += escaped;
        } else {
            uri += c;
        }
    }
    return uri + "?" + query;
}

// Reads only: proves the file is an SQLite database of ours, of a schema we know,
// and not visibly corrupt, before anything is written to it.
void validate(sqlite3* db, const std::string& path) {
    const auto fail = [&](Kind kind, const std::string& why) {
        throw DatabaseError(kind, "cannot open " + describe(path) + ": " + why);
    };
    std::int64_t objects = 0;
    {
        sqlite3_stmt* raw = nullptr;
        const int rc =
            sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &raw, nullptr);
        int stepRc = rc;
        if (rc == SQLITE_OK) {
            stepRc = sqlite3_step(raw);
            if (stepRc == SQLITE_ROW) objects = sqlite3_column_int64(raw, 0);
        }
        sqlite3_finalize(raw);
        const int code = (rc != SQLITE_OK ? rc : stepRc) & 0xff;
        if (code == SQLITE_NOTADB)
            fail(Kind::NotADatabase, "it is not a FlowSeg database (not an SQLite file)");
        if (code == SQLITE_CORRUPT)
            fail(Kind::Corrupt,
                 "the database is corrupt; restore it from a backup (flowseg db restore)");
        if (code != SQLITE_ROW && code != SQLITE_DONE && code != SQLITE_OK)
            throw errorFor(code, db, "cannot open " + describe(path));
    }
    const auto applicationId = pragmaInteger(db, "PRAGMA application_id");
    if (objects > 0 && applicationId != kApplicationId)
        fail(Kind::Foreign, "it is an SQLite database of another application, not a FlowSeg store");
    const auto version = pragmaInteger(db, "PRAGMA user_version");
    if (version > Database::latestSchemaVersion())
        fail(Kind::NewerSchema, "it was written by a newer FlowSeg (schema " +
                                    std::to_string(version) + "; this version knows up to " +
                                    std::to_string(Database::latestSchemaVersion()) +
                                    "); update FlowSeg Review to open it");
    if (objects > 0) {
        SqliteStatement check(db, "PRAGMA quick_check");
        std::string result;
        try {
            if (check.step()) result = check.text(0);
        } catch (const DatabaseError&) {
            result = "unreadable";
        }
        if (result != "ok")
            fail(Kind::Corrupt, "the database is corrupt (" + result +
                                    "); restore it from a backup (flowseg db restore)");
    }
}

}  // namespace

std::unique_ptr<Connection> openSqlite(const std::string& path, OpenMode mode) {
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (exists && !fs::is_regular_file(path, ec))
        throw DatabaseError(Kind::NotADatabase,
                            "cannot open " + describe(path) + ": it is not a regular file");
    if (!exists && mode != OpenMode::Create)
        throw DatabaseError(
            Kind::NotFound,
            "cannot open " + describe(path) + ": no such file (create it with `flowseg db init`)");
    if (mode != OpenMode::ReadOnly) {
        const fs::path folder = fs::absolute(path).parent_path();
        if (!fs::exists(folder, ec))
            throw DatabaseError(Kind::NotFound, "cannot open " + describe(path) + ": folder " +
                                                    folder.string() + " does not exist");
        // WAL needs to create <file>-wal and <file>-shm beside the database.
        if (::access(folder.c_str(), W_OK) != 0)
            throw DatabaseError(
                Kind::ReadOnly,
                "cannot open " + describe(path) + " for writing: folder " + folder.string() +
                    " is read-only (copy the file somewhere writable, or open it read-only)");
        if (exists && ::access(path.c_str(), W_OK) != 0)
            throw DatabaseError(Kind::ReadOnly, "cannot open " + describe(path) +
                                                    " for writing: the file is read-only");
    }
    int flags = SQLITE_OPEN_NOMUTEX;
    flags |= mode == OpenMode::ReadOnly
                 ? SQLITE_OPEN_READONLY
                 : SQLITE_OPEN_READWRITE | (mode == OpenMode::Create ? SQLITE_OPEN_CREATE : 0);
    std::string target = path;
    if (mode == OpenMode::ReadOnly && exists &&
        ::access(fs::absolute(path).parent_path().c_str(), W_OK) != 0 &&
        !fs::exists(path + "-wal", ec)) {
        // A WAL database in a folder we cannot write: SQLite cannot create the -shm
        // file it needs, and nobody can be writing, so read it as immutable.
        target = fileUri(path, "immutable=1");
        flags |= SQLITE_OPEN_URI;
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(target.c_str(), &raw, flags, nullptr);
    auto db = std::make_unique<SqliteConnection>(raw);
    if (rc != SQLITE_OK) throw errorFor(rc, raw, "cannot open " + describe(path));
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, Database::kBusyTimeoutMs);
    validate(raw, path);
    db->execute("PRAGMA foreign_keys = ON");
    if (mode == OpenMode::ReadOnly) {
        if (db->schemaVersion() < Database::latestSchemaVersion())
            throw DatabaseError(Kind::ReadOnly, "cannot open " + describe(path) +
                                                    " read-only: it has an older schema and must "
                                                    "be opened read-write once to be upgraded");
        return db;
    }
    db->execute("PRAGMA journal_mode = WAL");
    // FULL: every committed save is on disk before the app reports it saved, so a
    // power cut loses nothing an expert was told is stored (WAL+NORMAL could lose
    // the last commits). One fsync per save is nothing at the pace experts draw.
    db->execute("PRAGMA synchronous = FULL");
    db->migrate();
    return db;
}

sqlite3* sqliteHandle(const Connection& connection) {
    const auto* sqlite = dynamic_cast<const SqliteConnection*>(&connection);
    return sqlite ? sqlite->handle() : nullptr;
}

}  // namespace flowseg::db::detail
