#include "flowseg/review/store_writer.h"

#include <exception>

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
    m_idle.wait(lock, [this] { return m_queue.empty() && !m_busy; });
}

void StoreWriter::loop() {
    for (;;) {
        std::pair<Job, Done> next;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) return;  // stopping, and everything queued has run
            next = std::move(m_queue.front());
            m_queue.pop_front();
            m_busy = true;
        }
        std::string error;
        try {
            m_database.transaction([&] { next.first(m_database); });
        } catch (const std::exception& e) {
            error = e.what();
            if (error.empty()) error = "unknown error";
        } catch (...) {
            error = "unknown error";
        }
        if (next.second) next.second(error);
        {
            const std::lock_guard lock(m_mutex);
            m_busy = false;
        }
        m_idle.notify_all();
    }
}

}  // namespace flowseg::review
