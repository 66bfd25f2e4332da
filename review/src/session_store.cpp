#include "flowseg/review/session_store.h"
#include "flowseg/review/session_host.h"
#include "flowseg/review/store_feed.h"
#include "flowseg/review/store_writer.h"

namespace flowseg::review {

SessionStore::SessionStore(SessionHost& host) : m_host(host) {}

SessionStore::~SessionStore() {
    m_feed.reset();
    m_writer.reset();  // commits what is queued; its completions find m_alive gone
    m_alive.reset();
}

void SessionStore::open(const std::string& path) {
    m_feed.reset();
    m_writer.reset();  // commits the old store's queue first
    m_reader.reset();
    try {
        m_reader = std::make_unique<db::Database>(db::Database::open(path, db::OpenMode::Create));
        m_writer = std::make_unique<StoreWriter>(db::Database::open(path, db::OpenMode::Existing));
        std::weak_ptr<bool> alive = m_alive;
        m_writer->setConnectionListener(
            [this, host = &m_host, alive](bool offline, std::size_t queued) {
                host->post([this, alive, offline, queued] {
                    if (alive.lock() && m_listener) m_listener(offline, queued);
                });
            });
        followChanges(path);
        m_location = path;
    } catch (...) {
        m_location.clear();
        m_reader.reset();
        m_writer.reset();
        throw;
    }
}

void SessionStore::followChanges(const std::string& path) {
    std::unique_ptr<db::ChangeFeed> feed;
    try {
        feed = db::ChangeFeed::open(path);
    } catch (const db::DatabaseError&) {
        return;  // the store itself opened: it works, without live updates (reload shows them)
    }
    if (!feed) return;
    std::weak_ptr<bool> alive = m_alive;
    m_feed = std::make_unique<StoreFeed>(
        std::move(feed), [this, host = &m_host, alive](std::vector<db::StoreChange> changes) {
            host->post([this, alive, changes = std::move(changes)] {
                if (alive.lock() && m_changeListener) m_changeListener(changes);
            });
        });
}

std::string SessionStore::path() const { return m_reader ? m_reader->path() : std::string(); }

void SessionStore::flush() {
    if (m_writer) m_writer->waitIdle();
}

std::size_t SessionStore::waitingWrites() const {
    return m_writer && m_writer->offline() ? m_writer->queued() : 0;
}

void SessionStore::write(Job job, Done done) {
    if (!m_writer) return;
    std::weak_ptr<bool> alive = m_alive;
    m_writer->submit(std::move(job),
                     [host = &m_host, alive, done = std::move(done)](const std::string& error) {
                         // On the writer thread, after the commit: back to the session's thread.
                         host->post([alive, done, error] {
                             if (alive.lock() && done) done(error);
                         });
                     });
}

}  // namespace flowseg::review
