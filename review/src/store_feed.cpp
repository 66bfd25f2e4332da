#include "flowseg/review/store_feed.h"

namespace flowseg::review {

StoreFeed::StoreFeed(std::unique_ptr<db::ChangeFeed> feed, Changes changes)
    : m_feed(std::move(feed)), m_changes(std::move(changes)) {
    m_thread = std::thread([this] {
        while (!m_stop) {
            auto changes = m_feed->wait(std::chrono::milliseconds(250));
            if (!changes.empty() && !m_stop) m_changes(std::move(changes));
        }
    });
}

StoreFeed::~StoreFeed() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace flowseg::review
