#pragma once
// Store writes off the GUI thread: one worker thread with its own connection runs
// the jobs in the order they were submitted, each in its own transaction with
// synchronous=FULL. A job's completion is reported only after its commit, so
// whatever the window reports as saved survives a crash (tests/db: SIGKILL).
// When a server store stops answering, the job stays at the head of the queue
// and the writer retries every second (the connection reconnects itself), so
// edits made meanwhile wait in order and are written when it is back.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "flowseg/db/database.h"

namespace flowseg::review {

class StoreWriter {
public:
    using Job = std::function<void(db::Database&)>;
    /// Called on the writer thread after the job: "" when it committed, else why not.
    using Done = std::function<void(const std::string& error)>;
    /// Called on the writer thread when the server stops or starts answering:
    /// whether it is away, and how many jobs wait.
    using ConnectionListener = std::function<void(bool offline, std::size_t queued)>;

    /// Takes a connection opened (and validated) by the caller; only the writer
    /// thread uses it from now on.
    explicit StoreWriter(db::Database database);
    /// Runs what is queued, then stops.
    ~StoreWriter();
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    /// Queues `job` (run inside a transaction); `done` follows it on the writer thread.
    void submit(Job job, Done done = {});
    /// Blocks until every job submitted so far has run (closing, tests), or the
    /// server is away (the jobs then wait in the queue; see offline()).
    void waitIdle();
    void setConnectionListener(ConnectionListener listener);
    [[nodiscard]] bool offline() const;
    [[nodiscard]] std::size_t queued() const;
    /// How long the writer goes on retrying queued jobs once asked to stop.
    static constexpr int kRetrySecondsWhenClosing = 10;
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    void loop();

    db::Database m_database;
    std::string m_path;
    ConnectionListener m_listener;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<std::pair<Job, Done>> m_queue;
    bool m_busy = false;
    bool m_stopping = false;
    bool m_offline = false;
    std::thread m_thread;  // last: starts after everything above exists
};

}  // namespace flowseg::review
