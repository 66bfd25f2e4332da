#pragma once
// What other workstations commit to a department store, as it happens: a
// connection of its own that LISTENs on the server's change channel (migration
// 6 notifies on lesions, outline versions, review states, runs and the active
// model). A change names only ids and the login who made it; what a
// workstation then reads is what the server lets its login read. An SQLite
// store has no feed (one workstation: it knows its own changes).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"

namespace flowseg::db {

struct StoreChange {
    /// "lesion", "annotation_version", "expert_review", "sampling_run", "model";
    /// "*" after the feed lost the server and found it again: notifications of
    /// the time between are lost, so read everything shown again.
    std::string table;
    RowId lesionId = 0;
    RowId seriesId = 0;
    std::string login;  ///< who committed it
    [[nodiscard]] bool everything() const { return table == "*"; }
};

class ChangeFeed {
public:
    /// The feed of the store at `location`; null for an SQLite file. Throws
    /// DatabaseError as Database::open does.
    static std::unique_ptr<ChangeFeed> open(const std::string& location);
    ~ChangeFeed();
    ChangeFeed(const ChangeFeed&) = delete;
    ChangeFeed& operator=(const ChangeFeed&) = delete;

    /// The changes committed since the last call, waiting up to `timeout` for the
    /// first; empty when none came. While the server is away it tries to
    /// reconnect (at most once per call) and, once back, returns {"*"}.
    std::vector<StoreChange> wait(std::chrono::milliseconds timeout);
    /// False while the server is away.
    [[nodiscard]] bool connected() const;

private:
    explicit ChangeFeed(Database database);
    bool listen();
    Database m_database;
    bool m_lost = false;
};

/// "table lesion series login", as the server sends it; nullopt-like empty
/// table for a payload of another shape.
StoreChange parseChange(const std::string& payload);

}  // namespace flowseg::db
