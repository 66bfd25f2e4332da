#include "flowseg/common/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace flowseg::common {

int resolveThreadCount(int threads) {
    return threads > 0 ? threads
                       : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

void parallelFor(std::size_t count, int threads, const std::function<void(std::size_t)>& body) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex failureMutex;
    std::size_t failedIndex = count;
    std::exception_ptr failure;
    const auto work = [&] {
        while (!stop) {
            const std::size_t i = next++;
            if (i >= count) return;
            try {
                body(i);
            } catch (...) {
                stop = true;
                const std::lock_guard lock(failureMutex);
                if (i < failedIndex) {
                    failedIndex = i;
                    failure = std::current_exception();
                }
            }
        }
    };
    const auto workers =
        std::min<std::size_t>(static_cast<std::size_t>(resolveThreadCount(threads)), count);
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace flowseg::common
