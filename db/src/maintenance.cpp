#include "flowseg/db/maintenance.h"

#include <sqlite3.h>
#include <filesystem>

#include "flowseg/common/provenance.h"
#include "statement.h"

namespace flowseg::db {

namespace fs = std::filesystem;

namespace {

long count(const Database& db, const char* table) {
    Statement s(db, std::string("SELECT count(*) FROM ") + table);
    return s.step() ? static_cast<long>(s.integer(0)) : 0;
}

void copyWithBackupApi(sqlite3* from, sqlite3* to, const std::string& what) {
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
    if (!backup) throw errorFor(sqlite3_errcode(to), to, what);
    int rc = SQLITE_OK;
    do {
        rc = sqlite3_backup_step(backup, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    const int finish = sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) throw errorFor(rc, to, what);
    check(finish, to, what);
}

void refuseServer(const std::string& location, const char* what) {
    if (Database::isServerLocation(location))
        throw DatabaseError(DatabaseError::Kind::Other,
                            std::string(what) + " '" + detail::redactedLocation(location) +
                                "': a server store is backed up by its server (pg_dump -Fc, "
                                "pg_restore; see db/README.md), not by FlowSeg");
}

}  // namespace

CheckReport checkDatabase(const std::string& path) {
    auto db = Database::open(path, OpenMode::ReadOnly);
    CheckReport r;
    r.schemaVersion = db.schemaVersion();
    if (db.backend() == Backend::Postgres) {
        // The server checks its own pages and keys; what is left is to count.
        Statement s(db, "SELECT version()");
        if (s.step()) r.journalMode = "server (" + s.text(0).substr(0, s.text(0).find(',')) + ")";
    } else {
        {
            SqliteStatement s(db.handle(), "PRAGMA journal_mode");
            if (s.step()) r.journalMode = s.text(0);
        }
        {
            SqliteStatement s(db.handle(), "PRAGMA integrity_check");
            while (s.step())
                if (s.text(0) != "ok") r.problems.push_back(s.text(0));
        }
        {
            SqliteStatement s(db.handle(), "PRAGMA foreign_key_check");
            while (s.step())
                r.problems.push_back("row " + std::to_string(s.integer(1)) + " of " + s.text(0) +
                                     " refers to a missing row of " + s.text(2));
        }
    }
    r.studies = count(db, "study");
    r.lesions = count(db, "lesion");
    r.experts = count(db, "expert");
    r.annotationVersions = count(db, "annotation_version");
    r.samplingRuns = count(db, "sampling_run");
    r.models = count(db, "model");
    r.ok = r.problems.empty();
    return r;
}

void backupDatabase(const std::string& source, const std::string& target) {
    refuseServer(source, "cannot back up");
    refuseServer(target, "cannot back up to");
    std::error_code ec;
    if (fs::exists(target, ec))
        throw DatabaseError(
            DatabaseError::Kind::Constraint,
            "backup target '" + target + "' already exists; choose a new file name");
    auto from = Database::open(source, OpenMode::Existing);
    sqlite3* to = nullptr;
    const int rc =
        sqlite3_open_v2(target.c_str(), &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        const auto error = errorFor(rc, to, "cannot create backup '" + target + "'");
        sqlite3_close_v2(to);
        throw error;
    }
    try {
        copyWithBackupApi(from.handle(), to, "backing up '" + source + "'");
        // A backup is one self-contained file: no -wal beside it.
        check(sqlite3_exec(to, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr), to,
              "finishing the backup");
    } catch (...) {
        sqlite3_close_v2(to);
        fs::remove(target, ec);
        throw;
    }
    sqlite3_close_v2(to);
    const auto report = checkDatabase(target);
    if (!report.ok)
        throw DatabaseError(DatabaseError::Kind::Corrupt,
                            "the backup '" + target + "' failed its integrity check");
}

std::string restoreDatabase(const std::string& backup, const std::string& target) {
    refuseServer(backup, "cannot restore from");
    refuseServer(target, "cannot restore");
    const auto report = checkDatabase(backup);  // refuses foreign, newer or corrupt files
    if (!report.ok)
        throw DatabaseError(DatabaseError::Kind::Corrupt, "refusing to restore from '" + backup +
                                                              "': it fails its integrity check (" +
                                                              report.problems.front() + ")");
    std::error_code ec;
    std::string saved;
    if (fs::exists(target, ec)) {
        saved = target + ".before-restore-" + common::utcNow();
        backupDatabase(target, saved);
    }
    auto to = Database::open(target, OpenMode::Create);
    auto from = Database::open(backup, OpenMode::ReadOnly);
    copyWithBackupApi(from.handle(), to.handle(),
                      "restoring '" + target + "' from '" + backup + "'");
    return saved;
}

}  // namespace flowseg::db
