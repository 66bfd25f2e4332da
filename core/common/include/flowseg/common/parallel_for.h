#pragma once
// The one way the project spreads independent work over the cores (decoding a
// folder of cases, drawing synthetic cases): no thread pool of our own.

#include <cstddef>
#include <functional>

namespace flowseg::common {

/// Calls body(i) for every i in [0, count) on `threads` threads (0 = all cores;
/// the calling thread is one of them), handing indices out one at a time in
/// increasing order. After a body throws, no further index is handed out; once
/// every thread has stopped, the exception of the lowest index that threw is
/// rethrown on the caller's thread (so the error a user sees does not depend on
/// the timing).
void parallelFor(std::size_t count, int threads, const std::function<void(std::size_t)>& body);

/// `threads` as parallelFor reads it: 0 or less means every core.
[[nodiscard]] int resolveThreadCount(int threads);

}  // namespace flowseg::common
