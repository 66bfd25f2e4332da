#pragma once
// Integrity check, online backup and restore of a store.

#include <string>
#include <vector>

#include "flowseg/db/database.h"

namespace flowseg::db {

struct CheckReport {
    bool ok = false;
    std::vector<std::string> problems;  ///< empty when ok
    int schemaVersion = 0;
    std::string journalMode;
    long studies = 0, lesions = 0, experts = 0, annotationVersions = 0, samplingRuns = 0,
         models = 0;
};

/// PRAGMA integrity_check + foreign_key_check, and row counts. Opens read-only.
CheckReport checkDatabase(const std::string& path);

/// Copies a live store to `target` with SQLite's online backup API (other
/// connections may keep writing), then verifies the copy. Refuses to overwrite
/// an existing file.
void backupDatabase(const std::string& source, const std::string& target);

/// Replaces `target` with the verified contents of `backup`. The current file
/// is first saved next to it as `<target>.before-restore-<UTC time>`; returns
/// that path (empty when `target` did not exist).
std::string restoreDatabase(const std::string& backup, const std::string& target);

}  // namespace flowseg::db
