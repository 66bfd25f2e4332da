#pragma once
// One SQLite connection to a FlowSeg annotation store. Each thread opens its own
// Database; a Database is never shared between threads.

#include <functional>
#include <stdexcept>
#include <string>

struct sqlite3;

namespace flowseg::db {

class DatabaseError : public std::runtime_error {
public:
    enum class Kind {
        NotADatabase,  ///< not an SQLite file at all
        Foreign,       ///< an SQLite file of another application
        Corrupt,       ///< integrity check failed or SQLite reports corruption
        NewerSchema,   ///< written by a newer FlowSeg
        Locked,        ///< another connection held the lock past the busy timeout
        ReadOnly,      ///< the file or its folder cannot be written
        NotFound,      ///< a file or a row that should exist does not
        Constraint,    ///< the data broke a rule of the schema
        Io,            ///< the operating system failed a read or write
        Other
    };
    DatabaseError(Kind kind, const std::string& message)
        : std::runtime_error(message), m_kind(kind) {}
    [[nodiscard]] Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

enum class OpenMode {
    Create,    ///< read-write; creates and initializes a missing file
    Existing,  ///< read-write; the file must exist
    ReadOnly   ///< never writes, never migrates
};

class Database {
public:
    /// Opens, validates (before writing anything: SQLite header, application id,
    /// schema version, quick integrity check), then sets WAL, foreign keys,
    /// synchronous=FULL and a busy timeout, and applies pending migrations, each
    /// in its own transaction. Throws DatabaseError naming the file and the cause.
    static Database open(const std::string& path, OpenMode mode = OpenMode::Create);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    /// Runs `work` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it throws.
    /// Called inside another transaction, `work` joins it.
    void transaction(const std::function<void()>& work);
    /// Executes SQL without results (used by migrations and maintenance).
    void execute(const std::string& sql);

    [[nodiscard]] int schemaVersion() const;
    static int latestSchemaVersion();
    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] bool readOnly() const { return m_readOnly; }
    [[nodiscard]] sqlite3* handle() const { return m_db; }

    /// How long a write waits for another connection's lock before DatabaseError(Locked).
    static constexpr int kBusyTimeoutMs = 5000;

private:
    Database(sqlite3* db, std::string path, bool readOnly);
    void migrate();

    sqlite3* m_db = nullptr;
    std::string m_path;
    bool m_readOnly = false;
};

/// SQLite's version ("3.40.1").
[[nodiscard]] std::string sqliteVersion();

/// The application id stored in every FlowSeg database ("FLSG").
inline constexpr int kApplicationId = 0x464C5347;

}  // namespace flowseg::db
