#pragma once
// Follows a department store's change feed on a thread of its own and hands
// each batch of other workstations' changes to a callback (on that thread).

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "flowseg/db/change_feed.h"

namespace flowseg::review {

class StoreFeed {
public:
    using Changes = std::function<void(std::vector<db::StoreChange>)>;
    StoreFeed(std::unique_ptr<db::ChangeFeed> feed, Changes changes);
    /// Stops following (within a quarter of a second; a reconnect under way on a
    /// TCP connection to a dead host may take its connect timeout).
    ~StoreFeed();
    StoreFeed(const StoreFeed&) = delete;
    StoreFeed& operator=(const StoreFeed&) = delete;

private:
    std::unique_ptr<db::ChangeFeed> m_feed;
    Changes m_changes;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace flowseg::review
