// Nodules as stacks: grouping by case name, the volume model's condition planes,
// and the metrics over 3-D masks (volume GED, majority, coverage, mm^3).

#include <gtest/gtest.h>

#include "flowseg/engine/error.h"
#include "flowseg/engine/volume.h"
#include "flowseg/engine/volume_metrics.h"

using namespace flowseg::engine;

namespace {

MultiRaterCase slice(const std::string& id, int experts = 2, int side = 4) {
    MultiRaterCase c{id, ImageF(side, side),
                     std::vector<Mask>(static_cast<size_t>(experts), Mask(side, side))};
    return c;
}

Mask filled(int side, int pixels) {
    Mask m(side, side);
    for (int i = 0; i < pixels; ++i) m.pixels[static_cast<size_t>(i)] = 1;
    return m;
}

}  // namespace

TEST(Volume, ParsesTheSharedCropsNames) {
    const auto name = parseSliceName("LIDC-IDRI-0001_nodule-0_slice-12");
    ASSERT_TRUE(name);
    EXPECT_EQ(name->nodule, "LIDC-IDRI-0001_nodule-0");
    EXPECT_EQ(name->slice, 12);
    EXPECT_FALSE(parseSliceName("case-3"));
    EXPECT_FALSE(parseSliceName("P_nodule-0_slice-"));
    EXPECT_FALSE(parseSliceName("P_nodule-0_slice-2b"));
    EXPECT_FALSE(parseSliceName("_slice-2"));
}

TEST(Volume, GroupsCasesIntoNodulesOrderedBySlice) {
    std::vector<MultiRaterCase> cases{slice("A_nodule-0_slice-2"), slice("B_nodule-1_slice-0"),
                                      slice("A_nodule-0_slice-0"), slice("A_nodule-0_slice-1")};
    const auto nodules = groupIntoNodules(cases);
    ASSERT_EQ(nodules.size(), 2U);
    EXPECT_EQ(nodules[0].id, "A_nodule-0");
    EXPECT_EQ(nodules[0].sliceNumbers, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(nodules[0].slices[1].id, "A_nodule-0_slice-1");
    EXPECT_EQ(nodules[0].middle(), 1);
    EXPECT_EQ(nodules[1].id, "B_nodule-1");
    EXPECT_EQ(nodules[1].middle(), 0);
}

TEST(Volume, RefusesGapsOtherReadersAndUnnamedCases) {
    EXPECT_THROW(groupIntoNodules({slice("A_nodule-0_slice-0"), slice("A_nodule-0_slice-2")}),
                 InvalidInput);
    EXPECT_THROW(groupIntoNodules({slice("A_nodule-0_slice-0"), slice("A_nodule-0_slice-0")}),
                 InvalidInput);
    EXPECT_THROW(groupIntoNodules({slice("A_nodule-0_slice-0", 2), slice("A_nodule-0_slice-1", 3)}),
                 InvalidInput);
    try {
        (void)groupIntoNodules({slice("case-1")});
        FAIL();
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("case-1"), std::string::npos) << e.what();
    }
}

TEST(Volume, ConditionPlanesFollowTheSweep) {
    std::vector<ImageF> crops;
    for (int i = 0; i < 3; ++i) crops.emplace_back(2, 2, 0.1F * static_cast<float>(i + 1));
    Mask prior(2, 2);
    prior.at(0, 1) = 1;
    // Key slice: below and above as behind and ahead, no prior.
    auto planes = volumeCondition(crops, 1, -1, nullptr);
    ASSERT_EQ(planes.size(), static_cast<size_t>(kVolumeChannels));
    EXPECT_FLOAT_EQ(planes[kVolumeSlice].at(0, 0), 0.2F);
    EXPECT_FLOAT_EQ(planes[kVolumeBehind].at(0, 0), 0.1F);
    EXPECT_FLOAT_EQ(planes[kVolumeAhead].at(0, 0), 0.3F);
    EXPECT_FLOAT_EQ(planes[kVolumePriorPresent].at(1, 1), 0.0F);
    // Sweeping down from slice 2 into slice 1: behind is 2, ahead is 0, the prior is 2's mask.
    planes = volumeCondition(crops, 1, 2, &prior);
    EXPECT_FLOAT_EQ(planes[kVolumeBehind].at(0, 0), 0.3F);
    EXPECT_FLOAT_EQ(planes[kVolumeAhead].at(0, 0), 0.1F);
    EXPECT_FLOAT_EQ(planes[kVolumePriorMask].at(0, 1), 1.0F);
    EXPECT_FLOAT_EQ(planes[kVolumePriorMask].at(0, 0), 0.0F);
    EXPECT_FLOAT_EQ(planes[kVolumePriorPresent].at(1, 1), 1.0F);
    // At the stack's end the missing neighbour is the slice itself.
    planes = volumeCondition(crops, 2, 1, &prior);
    EXPECT_FLOAT_EQ(planes[kVolumeAhead].at(0, 0), 0.3F);
    EXPECT_THROW((void)volumeCondition(crops, 2, 0, &prior), InvalidInput);
    EXPECT_THROW((void)volumeCondition(crops, 1, 2, nullptr), InvalidInput);
}

TEST(VolumeMetrics, GedIsTakenOverTheWholeVolume) {
    // Two slices of 2x2. Sample: 2 voxels on slice 0. Expert: the same 2 voxels
    // plus 2 on slice 1. IoU over the volume = 2/4, so d = 0.5.
    const VolumeMask sample{filled(2, 2), Mask(2, 2)};
    const VolumeMask expert{filled(2, 2), filled(2, 2)};
    const auto m = evaluateNodule({sample}, {expert}, 0);
    // GED = 2 d(s, y) - d(s, s) - d(y, y) = 2 * 0.5.
    EXPECT_DOUBLE_EQ(m.volume.ged, 1.0);
    EXPECT_DOUBLE_EQ(m.middle.ged, 0.0);  // slice 0 alone agrees exactly
    EXPECT_DOUBLE_EQ(m.emptyGed, 2.0);    // d(empty, expert) = 1
    EXPECT_EQ(m.sampleVoxels, (std::vector<long>{2}));
    EXPECT_EQ(m.expertVoxels, (std::vector<long>{4}));
}

TEST(VolumeMetrics, SingleMaskIsTheVoxelMajorityOfThreeOfFour) {
    // Four experts over one 1x4 slice stack; voxel v is marked by 4 - v experts.
    std::vector<VolumeMask> experts;
    for (int e = 0; e < 4; ++e) {
        Mask m(1, 4);
        for (int v = 0; v < 4 - e; ++v) m.pixels[static_cast<size_t>(v)] = 1;
        experts.push_back({m});
    }
    // Majority (3 of 4): voxels 0 and 1. Expert IoUs with it: 2/4, 2/3, 1, 1/2 ->
    // distances 0.5, 1/3, 0, 0.5; mean 1/3. Experts' own mean distance: pairs
    // d(i, j) = 1 - min/max of their sizes 4, 3, 2, 1.
    const auto m = evaluateNodule({experts[1]}, experts, 0);
    double diversity = 0;
    const double sizes[] = {4, 3, 2, 1};
    for (double a : sizes)
        for (double b : sizes) diversity += 1 - std::min(a, b) / std::max(a, b);
    diversity /= 16;
    EXPECT_NEAR(m.volume.singleMaskGed, 2 * (1.0 / 3.0) - 0 - diversity, 1e-12);
}

TEST(VolumeMetrics, CoverageCountsExpertsInsideTheSamplesFiveToNinetyFivePercentRange) {
    std::vector<VolumeMask> samples;
    for (int n = 1; n <= 21; ++n)
        samples.push_back({filled(6, n)});  // 1..21 voxels: 5-95 % = 2..20
    const std::vector<VolumeMask> experts{
        {filled(6, 1)}, {filled(6, 2)}, {filled(6, 20)}, {filled(6, 25)}};
    const auto m = evaluateNodule(samples, experts, 0);
    EXPECT_DOUBLE_EQ(m.coverage, 0.5);
    EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.5), 2.5);
}

TEST(VolumeMetrics, CubicMillimetresUseBothPixelSpacingsAndTheSliceSpacing) {
    // 3 + 5 voxels on two slices, pixels 0.6 x 0.9 mm, slice centres 1.25 mm apart.
    const VolumeMask volume{filled(4, 3), filled(4, 5)};
    EXPECT_NEAR(volumeInCubicMm(volume, 0.6, 0.9, 1.25), 8 * 0.6 * 0.9 * 1.25, 1e-12);
    EXPECT_THROW((void)volumeInCubicMm(volume, 0.6, 0, 1.25), InvalidInput);
}
