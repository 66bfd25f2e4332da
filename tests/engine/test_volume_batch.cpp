// The volume model's training examples (core/engine/src/volume_batch.h): which
// neighbour a slice's prior mask comes from, and what a key slice looks like.

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <cmath>
#include <set>
#include <utility>

#include "flowseg/engine/volume.h"
#include "volume_batch.h"

using namespace flowseg::engine;

namespace {

constexpr int kSide = 8;
constexpr int kReaders = 2;

// One nodule of `slices` slices: slice s's crop is s / 10 everywhere; reader r
// marks only pixel (s, r) on slice s, so a prior names its slice and its reader.
struct Nodule {
    torch::Tensor images;   // [N, 1, S, S]
    torch::Tensor experts;  // [N, E, 1, S, S] bool
    VolumeStacks stacks;
};

Nodule nodule(int slices) {
    NoduleCase c;
    c.id = "P_nodule-0";
    for (int s = 0; s < slices; ++s) {
        MultiRaterCase slice;
        slice.id = c.id + "_slice-" + std::to_string(s);
        c.slices.push_back(slice);
        c.sliceNumbers.push_back(s);
    }
    std::vector<MultiRaterCase> cases;
    Nodule n;
    n.stacks = flattenNodules({c}, cases);
    n.images = torch::arange(slices, torch::kFloat32)
                   .div(10)
                   .view({-1, 1, 1, 1})
                   .expand({slices, 1, kSide, kSide})
                   .contiguous();
    n.experts = torch::zeros({slices, kReaders, 1, kSide, kSide}, torch::kBool);
    for (int s = 0; s < slices; ++s)
        for (int r = 0; r < kReaders; ++r) n.experts[s][r][0][s][r] = true;
    return n;
}

// The slice a crop plane shows (its value × 10).
int sliceOf(const torch::Tensor& plane) {
    return static_cast<int>(std::lround(plane[0][0].item<float>() * 10));
}

// The slice a prior mask was drawn on, -1 for none, checking it is reader r's.
int priorSliceOf(const torch::Tensor& plane, int reader) {
    const auto marked = plane.nonzero();
    if (marked.size(0) == 0) return -1;
    EXPECT_EQ(marked.size(0), 1);
    EXPECT_EQ(marked[0][1].item<int64_t>(), reader);
    return static_cast<int>(marked[0][0].item<int64_t>());
}

}  // namespace

TEST(VolumeBatch, InwardPriorsComeFromTheNeighbourTowardTheMiddleAsTheSweepDoes) {
    const auto n = nodule(5);  // middle slice 2: the sweep reaches 3 from 2, 4 from 3, 1 from 2
    const std::vector<int> inward{1, 2, -1, 2, 3};
    EXPECT_EQ(std::vector<int64_t>(n.stacks.inward.data_ptr<int64_t>(),
                                   n.stacks.inward.data_ptr<int64_t>() + 5),
              (std::vector<int64_t>{1, 2, -1, 2, 3}));
    auto generator = at::detail::createCPUGenerator(7);
    const auto index = torch::arange(5, torch::kInt64).repeat({40});
    const auto reader = torch::arange(200, torch::kInt64).remainder(kReaders);
    const auto x = volumeConditionBatch(n.images, n.experts, n.stacks, index, reader,
                                        PriorSide::Inward, 0.0, 0.0, generator);
    ASSERT_EQ(x.sizes(), (torch::IntArrayRef{200, kVolumeChannels, kSide, kSide}));
    std::set<std::pair<int, int>> middleCrops;
    for (int64_t b = 0; b < 200; ++b) {
        const int s = static_cast<int>(index[b].item<int64_t>());
        const int r = static_cast<int>(reader[b].item<int64_t>());
        const auto planes = x[b];
        EXPECT_EQ(sliceOf(planes[kVolumeSlice]), s);
        const int from = inward[static_cast<size_t>(s)];
        if (from < 0) {  // the middle: a key slice, its crops below and above in either order
            EXPECT_EQ(planes[kVolumePriorPresent].sum().item<float>(), 0.0F);
            EXPECT_EQ(priorSliceOf(planes[kVolumePriorMask], r), -1);
            middleCrops.emplace(sliceOf(planes[kVolumeBehind]), sliceOf(planes[kVolumeAhead]));
            continue;
        }
        EXPECT_EQ(planes[kVolumePriorPresent].min().item<float>(), 1.0F) << "slice " << s;
        EXPECT_EQ(priorSliceOf(planes[kVolumePriorMask], r), from) << "slice " << s;
        EXPECT_EQ(sliceOf(planes[kVolumeBehind]), from);
        // Ahead is the other neighbour, or the slice itself past the stack's end.
        const int ahead = 2 * s - from;
        EXPECT_EQ(sliceOf(planes[kVolumeAhead]), ahead >= 0 && ahead < 5 ? ahead : s);
    }
    EXPECT_EQ(middleCrops, (std::set<std::pair<int, int>>{{1, 3}, {3, 1}}));
}

TEST(VolumeBatch, EitherSideDrawsPriorsFromBothNeighboursAndDropoutMakesKeySlices) {
    const auto n = nodule(5);
    auto generator = at::detail::createCPUGenerator(7);
    const auto index = torch::full({400}, 3, torch::kInt64);  // slice 3: neighbours 2 and 4
    const auto reader = torch::zeros({400}, torch::kInt64);
    const auto either = volumeConditionBatch(n.images, n.experts, n.stacks, index, reader,
                                             PriorSide::Either, 0.0, 0.0, generator);
    std::set<int> from;
    for (int64_t b = 0; b < 400; ++b) from.insert(priorSliceOf(either[b][kVolumePriorMask], 0));
    EXPECT_EQ(from, (std::set<int>{2, 4}));

    // A quarter dropped: key slices (no prior, its flag 0), the rest inward (slice 2).
    const auto dropped = volumeConditionBatch(n.images, n.experts, n.stacks, index, reader,
                                              PriorSide::Inward, 0.25, 0.0, generator);
    int keys = 0;
    for (int64_t b = 0; b < 400; ++b) {
        const int prior = priorSliceOf(dropped[b][kVolumePriorMask], 0);
        const bool present = dropped[b][kVolumePriorPresent].max().item<float>() > 0;
        EXPECT_EQ(present, prior == 2);
        if (!present) ++keys;
    }
    EXPECT_GT(keys, 60);
    EXPECT_LT(keys, 140);
}

TEST(VolumeBatch, StacksByNameFindTheSameMiddleAsTheNodules) {
    // Slices 4..8 of one nodule, given out of order, and a case that stands alone.
    std::vector<MultiRaterCase> cases;
    for (const int k : {7, 4, 6, 8, 5}) {
        MultiRaterCase c;
        c.id = "P_nodule-0_slice-" + std::to_string(k);
        c.experts.resize(kReaders);
        cases.push_back(c);
    }
    MultiRaterCase alone;
    alone.id = "lonely";
    alone.experts.resize(kReaders);
    cases.push_back(alone);
    const auto stacks = stacksByName(cases);
    // The middle is slice 6 (index 2): 7 comes from 6, 4 from 5, 8 from 7, 5 from 6.
    EXPECT_EQ(std::vector<int64_t>(stacks.inward.data_ptr<int64_t>(),
                                   stacks.inward.data_ptr<int64_t>() + 6),
              (std::vector<int64_t>{2, 4, -1, 0, 2, -1}));
    EXPECT_EQ(priorSideFromName("inward"), PriorSide::Inward);
    EXPECT_EQ(priorSideFromName("either"), PriorSide::Either);
    EXPECT_FALSE(priorSideFromName("outward").has_value());
}
