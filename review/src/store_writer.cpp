#include "flowseg/review/store_writer.h"

#include <chrono>
#include <exception>
#include <optional>

namespace flowseg::review {

StoreWriter::StoreWriter(db::Database database)
    : m_database(std::move(database)), m_path(m_database.path()), m_thread([this] { loop(); }) {}

StoreWriter::~StoreWriter() {
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void StoreWriter::submit(Job job, Done done) {
    {
        const std::lock_guard lock(m_mutex);
        m_queue.emplace_back(std::move(job), std::move(done));
    }
    m_wake.notify_all();
}

void StoreWriter::waitIdle() {
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return (m_queue.empty() && !m_busy) || m_offline; });
}

void StoreWriter::setConnectionListener(ConnectionListener listener) {
    const std::lock_guard lock(m_mutex);
    m_listener = std::move(listener);
}

bool StoreWriter::offline() const {
    const std::lock_guard lock(m_mutex);
    return m_offline;
}

std::size_t StoreWriter::queued() const {
    const std::lock_guard lock(m_mutex);
    return m_queue.size();
}

void StoreWriter::loop() {
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> givingUpAt;  // set once stopping while the server is away
    for (;;) {
        std::pair<Job, Done>* next = nullptr;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) return;  // stopping, and everything queued has run
            next = &m_queue.front();      // stays queued until it committed or failed for good
            m_busy = true;
        }
        std::string error;
        bool away = false;
        try {
            m_database.transaction([&] { next->first(m_database); });
        } catch (const db::DatabaseError& e) {
            away = e.kind() == db::DatabaseError::Kind::Unreachable;
            error = e.what();
        } catch (const std::exception& e) {
            error = e.what();
            if (error.empty()) error = "unknown error";
        } catch (...) {
            error = "unknown error";
        }
        if (away) {
            ConnectionListener listener;
            std::size_t queued = 0;
            bool stopping = false;
            {
                const std::lock_guard lock(m_mutex);
                const bool wasOffline = m_offline;
                m_offline = true;
                m_busy = false;
                queued = m_queue.size();
                stopping = m_stopping;
                if (!wasOffline) listener = m_listener;
            }
            m_idle.notify_all();
            if (listener) listener(true, queued);
            if (stopping && !givingUpAt)
                givingUpAt = Clock::now() + std::chrono::seconds(kRetrySecondsWhenClosing);
            if (!givingUpAt || Clock::now() < *givingUpAt) {
                std::unique_lock lock(m_mutex);
                m_wake.wait_for(lock, std::chrono::seconds(1), [&] {
                    return m_stopping && !givingUpAt;  // woken to stop: start the countdown
                });
                continue;  // try the same job again (the connection reconnects itself)
            }
            // Closing, and the server stayed away: these saves were never reported saved.
            error = "not saved: the server did not answer before FlowSeg closed (" + error + ")";
        }
        std::pair<Job, Done> done;
        ConnectionListener listener;
        std::size_t queued = 0;
        {
            const std::lock_guard lock(m_mutex);
            done = std::move(m_queue.front());
            m_queue.pop_front();
            if (m_offline && !away) {
                m_offline = false;
                listener = m_listener;
            }
            queued = m_queue.size();
        }
        if (listener) listener(false, queued);
        if (done.second) done.second(error);
        {
            const std::lock_guard lock(m_mutex);
            m_busy = false;
        }
        m_idle.notify_all();
    }
}

}  // namespace flowseg::review
