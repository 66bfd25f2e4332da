#pragma once
// The session's annotation store: a reading connection on the session's thread
// and a StoreWriter (its own connection and thread) for every write. A write's
// completion comes back on the session's thread, through the host, only once
// it is committed, and never after the store object is gone.

#include <functional>
#include <memory>
#include <string>

#include "flowseg/db/change_feed.h"
#include "flowseg/db/database.h"

namespace flowseg::review {

class SessionHost;
class StoreFeed;
class StoreWriter;

class SessionStore {
public:
    using Job = std::function<void(db::Database&)>;
    /// "" when the job committed, else why not; on the session's thread.
    using Done = std::function<void(const std::string& error)>;

    explicit SessionStore(SessionHost& host);
    /// Commits what is queued; completions still on their way are dropped.
    ~SessionStore();
    SessionStore(const SessionStore&) = delete;
    SessionStore& operator=(const SessionStore&) = delete;

    /// Opens (creating) the store at `path`, after committing the old one's queue.
    /// Throws (db::DatabaseError naming the file and the fix) and stays closed when
    /// it cannot.
    void open(const std::string& path);
    [[nodiscard]] bool isOpen() const { return m_reader != nullptr; }
    [[nodiscard]] std::string path() const;
    /// Where another connection to this store opens: `path()` with the URI's
    /// credentials, for this process's background tasks only (never shown,
    /// logged or saved). Empty when closed.
    [[nodiscard]] const std::string& location() const { return m_location; }
    /// The reading connection; null when closed.
    [[nodiscard]] db::Database* reader() const { return m_reader.get(); }
    /// Queues `job` on the writer (nothing happens when closed).
    void write(Job job, Done done = {});
    /// Blocks until every write so far is committed, or the server is away (the
    /// writes then wait in order and are written when it answers again).
    void flush();
    /// Told on the session's thread when a server store stops or starts
    /// answering, with the number of writes waiting.
    using ConnectionListener = std::function<void(bool offline, std::size_t queued)>;
    void setConnectionListener(ConnectionListener listener) { m_listener = std::move(listener); }
    /// Writes waiting because the server is away (0 when it answers).
    [[nodiscard]] std::size_t waitingWrites() const;
    /// Told on the session's thread of what other workstations committed to a
    /// server store (its change feed); never on SQLite.
    using ChangeListener = std::function<void(const std::vector<db::StoreChange>& changes)>;
    void setChangeListener(ChangeListener listener) { m_changeListener = std::move(listener); }
    /// Whether other workstations' changes arrive live (a server store whose feed runs).
    [[nodiscard]] bool followsChanges() const { return m_feed != nullptr; }

private:
    void followChanges(const std::string& path);
    SessionHost& m_host;
    std::unique_ptr<db::Database> m_reader;
    std::unique_ptr<StoreWriter> m_writer;
    std::string m_location;
    std::unique_ptr<StoreFeed> m_feed;
    ConnectionListener m_listener;
    ChangeListener m_changeListener;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);  // completions check it
};

}  // namespace flowseg::review
