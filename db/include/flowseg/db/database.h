#pragma once
// One connection to a FlowSeg annotation store: an SQLite file on this
// workstation, or a department's PostgreSQL server (a postgresql:// URI; see
// db/README.md). Each thread opens its own Database; a Database is never
// shared between threads.

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

struct sqlite3;

namespace flowseg::db {

namespace detail {
class Connection;
}

enum class Backend { Sqlite, Postgres };

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
        Unreachable,   ///< the database server does not answer (or the connection broke)
        AccessDenied,  ///< the login failed, or its role does not allow the action
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
    /// Opens `location`: a file path, or a postgresql:// (postgres://) URI whose
    /// credentials libpq takes from the URI, PGPASSWORD or ~/.pgpass.
    /// An SQLite file is validated before anything is written to it (header,
    /// application id, schema version, quick integrity check), then WAL, foreign
    /// keys, synchronous=FULL and a busy timeout are set. A server store is
    /// checked to be ours (flowseg_meta) and of a schema we know. Pending
    /// migrations are then applied, each in its own transaction (on a server
    /// under an advisory lock). Throws DatabaseError naming the store and the cause.
    static Database open(const std::string& location, OpenMode mode = OpenMode::Create);
    /// True for a postgresql:// or postgres:// URI.
    static bool isServerLocation(const std::string& location);

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
    /// The file, or the server's URI without its password.
    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] bool readOnly() const { return m_readOnly; }
    [[nodiscard]] Backend backend() const;
    /// The server login this connection signed in as; empty on SQLite, where the
    /// signed-in name is the app's and no one is authenticated.
    [[nodiscard]] std::string currentUser() const;
    /// The SQLite handle; nullptr on a server.
    [[nodiscard]] sqlite3* handle() const;
    [[nodiscard]] detail::Connection& connection() const { return *m_connection; }

    /// How long a write waits for another connection's lock before DatabaseError(Locked).
    static constexpr int kBusyTimeoutMs = 5000;

private:
    Database(std::unique_ptr<detail::Connection> connection, std::string path, bool readOnly);

    std::unique_ptr<detail::Connection> m_connection;
    std::string m_path;
    bool m_readOnly = false;
};

/// SQLite's version ("3.40.1").
[[nodiscard]] std::string sqliteVersion();

/// The application id stored in every FlowSeg database ("FLSG").
inline constexpr int kApplicationId = 0x464C5347;

}  // namespace flowseg::db
