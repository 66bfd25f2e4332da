// A lesion as a nodule: where its sampling starts (the experts' slices or the
// box's), the same crop window on every slice and the growth limit, and its
// samples' sizes in mm (volume = voxels on every slice x the voxel's volume on
// non-square, non-unit spacing; the diameters on the slice where they are
// largest), with their median and 5-95 % range.
#include <gtest/gtest.h>
#include <set>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/volume_metrics.h"
#include "flowseg/review/expert_outlines.h"
#include "flowseg/review/lesion_agreement.h"
#include "flowseg/review/nodule_measures.h"
#include "flowseg/review/nodule_sampling.h"
#include "session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;

namespace {

common::Mask rectangle(int side, int x0, int y0, int w, int h) {
    common::Mask m(side, side);
    for (int y = y0; y < y0 + h; ++y)
        for (int x = x0; x < x0 + w; ++x) m.at(y, x) = 1;
    return m;
}

}  // namespace

TEST(NoduleRange, StartsOnTheExpertsSlicesOrTheBoxsSlice) {
    review::ExpertOutlines outlines;
    auto range = review::noduleRange(outlines, 12, 40);
    EXPECT_EQ(range.first, 12);
    EXPECT_EQ(range.last, 12);
    EXPECT_EQ(range.key, 12);
    outlines.layer({1, "A", "radiologist"}).slices[9] = rectangle(40, 1, 1, 3, 3);
    outlines.layer({2, "B", "radiologist"}).slices[14] = rectangle(40, 1, 1, 3, 3);
    outlines.layer({2, "B", "radiologist"}).slices[20] = common::Mask(40, 40);  // empty: ignored
    range = review::noduleRange(outlines, 12, 40);
    EXPECT_EQ(range.first, 9);
    EXPECT_EQ(range.last, 14);
    EXPECT_EQ(range.key, 12);
    EXPECT_EQ(range.size(), 6);
}

TEST(NoduleMeasures, VolumeIsVoxelsOnEverySliceTimesTheVoxelVolume) {
    // Two slices; crops of 20 crop pixels over 40 slice pixels (scale 2); pixels
    // 0.6 mm wide and 0.9 mm high, slices 1.25 mm apart.
    review::PixelSpacing spacing;
    spacing.column = 0.6;
    spacing.row = 0.9;
    spacing.slice = 1.25;
    std::vector<review::SliceSamples> slices(2);
    for (int s = 0; s < 2; ++s) {
        slices[s].crop.image = common::ImageF(20, 20);
        slices[s].crop.slice = 7 + s;
        slices[s].crop.span = 40;
    }
    // Sample 0: 4 x 3 crop pixels on the first slice, 2 x 2 on the second.
    // Sample 1: nothing on the first, 5 x 1 on the second. Sample 2: nothing.
    slices[0].result.masks = {rectangle(20, 2, 2, 4, 3), common::Mask(20, 20),
                              common::Mask(20, 20)};
    slices[1].result.masks = {rectangle(20, 2, 2, 2, 2), rectangle(20, 5, 5, 5, 1),
                              common::Mask(20, 20)};
    const auto m = review::measureNodule(slices, spacing);
    ASSERT_EQ(m.samples.size(), 3U);
    const double voxel = (0.6 * 2) * (0.9 * 2) * 1.25;  // a crop pixel's column x row x slice
    EXPECT_NEAR(m.samples[0].volumeMm3, (12 + 4) * voxel, 1e-9);
    EXPECT_NEAR(m.samples[1].volumeMm3, 5 * voxel, 1e-9);
    EXPECT_EQ(m.samples[2].volumeMm3, 0);
    EXPECT_EQ(m.samples[0].slices, 2);
    EXPECT_EQ(m.samples[1].slices, 1);
    // Sample 0's longest diameter is on its first slice: the diagonal of a
    // 4 x 3 pixel rectangle of 1.2 x 1.8 mm pixels, 4.8 x 5.4 mm (measured on the
    // pixel edges' midpoints: within one pixel of it).
    EXPECT_NEAR(m.samples[0].longestMm, std::hypot(4.8, 5.4), 1.8);
    EXPECT_GT(m.samples[0].longestMm, std::hypot(2.4, 3.6));  // more than the second slice's
    // Sample 1: 5 pixels along a row, 6 mm.
    EXPECT_NEAR(m.samples[1].longestMm, 6.0, 1.2);
    // A stray speck far from the nodule adds to the volume, not to the diameter.
    slices[1].result.masks[1].at(19, 19) = 1;
    const auto speck = review::measureNodule(slices, spacing);
    EXPECT_NEAR(speck.samples[1].volumeMm3, 6 * voxel, 1e-9);
    EXPECT_NEAR(speck.samples[1].longestMm, m.samples[1].longestMm, 1e-9);
    // The spread over the three samples.
    EXPECT_NEAR(m.volumeMm3.median, 5 * voxel, 1e-9);
}

TEST(NoduleMeasures, SpreadIsTheMedianAndThe5And95PercentQuantiles) {
    const auto s = review::spreadOf({10, 0, 30, 20, 40});  // sorted 0 10 20 30 40
    EXPECT_DOUBLE_EQ(s.median, 20);
    EXPECT_DOUBLE_EQ(s.low, 0.05 * 4 * 10);   // position 0.2 between 0 and 10
    EXPECT_DOUBLE_EQ(s.high, 30 + 0.8 * 10);  // position 3.8 between 30 and 40
    const auto none = review::spreadOf({});
    EXPECT_EQ(none.median, 0);
}

TEST(SampleNodule, OneCropWindowOnEverySliceWithinTheLimit) {
    const auto series = demoSeries();
    const db::BoundingBox box{100, 100, 16, 16};
    engine::SamplingOptions options = engine::SamplingOptions::fastDefault();
    options.samples = 3;
    options.solver = engine::Solver::Euler;
    options.steps = 2;
    const review::NoduleRange range{19, 21, 20};
    // The limit at the range: exactly its slices.
    const auto exact = review::sampleNodule(tinyModel(), *series, box, range, options, {}, 3);
    ASSERT_EQ(exact.slices.size(), 3U);
    EXPECT_EQ(exact.keyIndex, 1);
    for (size_t i = 0; i < exact.slices.size(); ++i) {
        const auto& crop = exact.slices[i].crop;
        EXPECT_EQ(crop.slice, 19 + static_cast<int>(i));
        EXPECT_EQ(crop.originX, exact.slices[0].crop.originX) << "one window";
        EXPECT_EQ(crop.originY, exact.slices[0].crop.originY);
        EXPECT_EQ(exact.slices[i].result.masks.size(), 3U);
    }
    // The key slice's samples are a key-slice run's with the same settings (its
    // own seed; the slice model samples each slice on its own).
    const auto key = review::cropLesion(*series, 20, box, exact.slices[1].crop.image.width);
    EXPECT_EQ(engine::Sampler(tinyModel()).sample(key.image, options).masks,
              exact.slices[1].result.masks);
    // With room to grow: consecutive slices, the given ones included, the limit kept.
    const auto grown = review::sampleNodule(tinyModel(), *series, box, range, options, {}, 7);
    ASSERT_GE(grown.slices.size(), 3U);
    ASSERT_LE(grown.slices.size(), 7U);
    for (size_t i = 1; i < grown.slices.size(); ++i)
        EXPECT_EQ(grown.slices[i].crop.slice, grown.slices[i - 1].crop.slice + 1);
    EXPECT_EQ(grown.slices[static_cast<size_t>(grown.keyIndex)].crop.slice, 20);
    EXPECT_EQ(grown.slices[static_cast<size_t>(grown.keyIndex)].result.masks,
              exact.slices[1].result.masks);
    // A range outside the series is refused.
    EXPECT_THROW((void)review::sampleNodule(tinyModel(), *series, box, {-1, 2, 0}, options),
                 std::invalid_argument);
}

TEST(NoduleAgreement, TheExpertsVsSamplesGedIsTakenOverTheVolume) {
    // A 16 x 16 series; the samples' crop covers it whole (scale 1), on slices 3-4.
    const int side = 16;
    review::LesionResult result;
    for (int slice = 3; slice <= 4; ++slice) {
        review::SliceSamples s;
        s.crop.image = common::ImageF(side, side);
        s.crop.slice = slice;
        s.crop.span = side;
        // Sample 0: a 4 x 4 square on both slices; sample 1: on slice 3 only.
        s.result.masks = {rectangle(side, 4, 4, 4, 4),
                          slice == 3 ? rectangle(side, 4, 4, 4, 4) : common::Mask(side, side)};
        s.result.maps.variance = common::ImageF(side, side);
        result.slices.push_back(s);
    }
    result.crop = result.slices.front().crop;
    result.result = result.slices.front().result;
    // Expert A outlines slices 3 and 4 like sample 0; expert B slices 3, 4 and 5.
    review::ExpertOutlines outlines;
    outlines.layer({1, "A", "radiologist"}).slices[3] = rectangle(side, 4, 4, 4, 4);
    outlines.layer({1, "A", "radiologist"}).slices[4] = rectangle(side, 4, 4, 4, 4);
    for (int slice = 3; slice <= 5; ++slice)
        outlines.layer({2, "B", "radiologist"}).slices[slice] = rectangle(side, 5, 5, 4, 4);
    review::PixelSpacing spacing;
    const auto a = review::computeAgreement(outlines, &result, side, side, spacing);
    ASSERT_TRUE(a.gedExpertsVsSamples);
    EXPECT_EQ(a.gedSlices, 3) << "slices 3-5: the samples' and the experts' together";
    // The same GED by hand: every outline stacked over slices 3, 4, 5.
    const auto stack = [&](std::vector<common::Mask> slices) {
        return engine::stackSlices(slices);
    };
    const common::Mask empty(side, side);
    const auto sq = rectangle(side, 4, 4, 4, 4);
    const auto b = rectangle(side, 5, 5, 4, 4);
    const std::vector<common::Mask> samples{stack({sq, sq, empty}), stack({sq, empty, empty})};
    const std::vector<common::Mask> experts{stack({sq, sq, empty}), stack({b, b, b})};
    EXPECT_NEAR(*a.gedExpertsVsSamples, engine::generalizedEnergyDistance(samples, experts), 1e-12);
    // On the key slice alone it would be another number.
    review::LesionResult oneSlice = result;
    oneSlice.slices.resize(1);
    const auto single = review::computeAgreement(outlines, &oneSlice, side, side, spacing);
    EXPECT_EQ(single.gedSlices, 1);
    EXPECT_NE(*single.gedExpertsVsSamples, *a.gedExpertsVsSamples);
}

// A nodule run in the session: stored with its samples on every slice (and
// whether they are one chain), and accepting sample k outlines every slice it
// spans as one undo step.
TEST(NoduleRun, IsStoredOnEverySliceAndAcceptingASampleOutlinesThemAll) {
    FakeHost host;
    review::ReviewSession session(host);
    const auto store = scratchStore("nodule_run");
    const auto seriesId = storeWithSeries(store);
    ASSERT_TRUE(session.openStore(store));
    session.signIn({"Dr A", "radiologist"});
    session.models().set(tinyModel());
    const auto series = demoSeries();
    session.setSeries(series, seriesId);
    session.markLesion(boxAt(100, 100, 20));
    session.requestSampling(engine::SamplingOptions::fastDefault());
    ASSERT_EQ(host.started.size(), 1U);
    const auto request = host.started.back();
    // What sampleNodule gives: the same crop window on slices 19, 20, 21; sample
    // 0 marks all three, sample 1 ends after the key slice.
    review::NoduleSamples nodule;
    nodule.coherent = true;
    for (int slice = 19; slice <= 21; ++slice) {
        review::SliceSamples s;
        s.crop = review::cropLesion(*series, slice, session.box().box, request.crop.image.width);
        s.result = fakeResult(request, 2);
        if (slice == 21)
            s.result.masks[1] = common::Mask(s.result.masks[1].height, s.result.masks[1].width);
        nodule.slices.push_back(std::move(s));
    }
    nodule.keyIndex = 1;
    auto key = nodule.slices[1].result;
    ASSERT_TRUE(session.samplingFinished(request.id, key, {}, "", nodule));
    session.store().flush();
    host.drain();

    {
        auto db = db::Database::open(store, db::OpenMode::Existing);
        db::RunRepository runs(db);
        const auto stored = runs.runsOfLesion(session.lesionId());
        ASSERT_EQ(stored.size(), 1U);
        EXPECT_EQ(stored[0].slice, 20);
        EXPECT_TRUE(stored[0].coherent);
        EXPECT_TRUE(stored[0].chainsEnd) << "the session's sampling ends chains";
        const auto others = runs.sliceOutputsOf(stored[0].id);
        ASSERT_EQ(others.size(), 2U);
        EXPECT_EQ(others.count(19) + others.count(21), 2U);
        EXPECT_EQ(others.at(21).samples[1].area(), 0);
        EXPECT_EQ(runs.outputsOf(stored[0].id).samples, key.masks);
    }

    const auto steps = session.undoStack().count();
    session.acceptSample(1);
    EXPECT_EQ(session.undoStack().count(), steps + 1) << "one undo step for the nodule";
    EXPECT_NE(session.undoStack().undoText().find("3 slices"), std::string::npos)
        << session.undoStack().undoText();
    for (const int slice : {19, 20}) ASSERT_NE(session.ownOutline(slice), nullptr) << slice;
    EXPECT_GT(session.ownOutline(19)->area(), 0);
    EXPECT_EQ(session.ownOutline(21), nullptr) << "sample 2 ends before slice 21";
    session.undoStack().undo();
    for (const int slice : {19, 20, 21}) {
        const auto* outline = session.ownOutline(slice);
        EXPECT_TRUE(outline == nullptr || outline->area() == 0) << slice;
    }
    session.acceptMajority();
    EXPECT_GT(session.ownOutline(21)->area(), 0) << "the majority reaches slice 21";
    session.store().flush();
    host.drain();
    auto db = db::Database::open(store, db::OpenMode::Existing);
    std::set<int> saved;
    for (const auto& v : db::AnnotationRepository(db).latestForLesion(session.lesionId()))
        if (v.area > 0) saved.insert(v.slice);
    EXPECT_EQ(saved, (std::set<int>{19, 20, 21}));
}
