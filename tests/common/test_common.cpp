// core/common: parallelFor hands every index out once and reports the error of
// the lowest failing index, whatever the timing.

#include <gtest/gtest.h>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "flowseg/common/parallel_for.h"
#include "flowseg/common/types.h"

using flowseg::common::parallelFor;

TEST(ParallelFor, CallsEveryIndexExactlyOnce) {
    for (const int threads : {1, 2, 3, 0}) {
        std::vector<std::atomic<int>> calls(1000);
        parallelFor(calls.size(), threads, [&](std::size_t i) { ++calls[i]; });
        for (const auto& c : calls) ASSERT_EQ(c.load(), 1) << threads << " threads";
    }
    parallelFor(0, 4, [](std::size_t) { FAIL() << "no index in an empty range"; });
}

TEST(ParallelFor, UsesSeveralThreadsWhenAsked) {
    std::atomic<int> inside{0};
    std::atomic<int> most{0};
    parallelFor(8, 2, [&](std::size_t) {
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        --inside;
    });
    EXPECT_EQ(most.load(), 2);
}

TEST(ParallelFor, RethrowsTheLowestFailingIndexAndStopsHandingOutWork) {
    std::atomic<int> calls{0};
    try {
        parallelFor(10000, 2, [&](std::size_t i) {
            ++calls;
            if (i == 7 || i == 3) throw std::runtime_error("case " + std::to_string(i));
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        });
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "case 3");
    }
    EXPECT_LT(calls.load(), 100);  // stopped soon after the failures, not after all 10000
}

TEST(CommonTypes, MaskAreaCountsForegroundPixels) {
    flowseg::common::Mask m(3, 4);
    m.at(0, 0) = 1;
    m.at(2, 3) = 1;
    EXPECT_EQ(m.area(), 2);
}
