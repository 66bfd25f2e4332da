// Sampler: seeding, cancellation, trajectories and input validation.

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "flowseg/engine/error.h"
#include "flowseg/engine/sampler.h"
#include "test_util.h"

using namespace flowseg::engine;

namespace {
ImageF testImage(int side) {
    ImageF image(side, side);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) image.at(y, x) = (x + y) % 5 == 0 ? 0.8F : 0.1F;
    return image;
}
}  // namespace

TEST(Sampler, SameSeedGivesTheSameMasks) {
    const Sampler sampler(flowseg::test::tinyModel());
    SamplingOptions o;
    o.solver = Solver::Euler;
    o.steps = 5;
    o.samples = 6;
    o.seed = 42;
    const auto a = sampler.sample(testImage(16), o);
    const auto b = sampler.sample(testImage(16), o);
    ASSERT_EQ(a.masks.size(), 6U);
    EXPECT_EQ(a.masks, b.masks);
    EXPECT_EQ(a.soft[0].pixels, b.soft[0].pixels);
    o.seed = 43;
    const auto c = sampler.sample(testImage(16), o);
    EXPECT_NE(a.soft[0].pixels, c.soft[0].pixels);
}

TEST(Sampler, CountsPassesAndBuildsUncertaintyMaps) {
    const Sampler sampler(flowseg::test::tinyModel());
    SamplingOptions o;
    o.solver = Solver::Midpoint;
    o.steps = 4;
    o.samples = 5;
    o.guidance = 0.3;
    const auto r = sampler.sample(testImage(16), o);
    EXPECT_EQ(r.evaluations, 8);
    EXPECT_EQ(r.networkPasses, 8 * 2 * 5);
    ASSERT_EQ(r.maps.variance.pixels.size(), 256U);
    for (size_t i = 0; i < 256; ++i) {
        const float p = r.maps.probability.pixels[i];
        EXPECT_FLOAT_EQ(r.maps.variance.pixels[i], p * (1 - p));
    }
}

TEST(Sampler, TrajectoryStartsAtNoiseAndEndsAtTheResult) {
    const Sampler sampler(flowseg::test::tinyModel());
    SamplingOptions o;
    o.solver = Solver::Heun;
    o.steps = 6;
    o.samples = 2;
    o.trajectoryEvery = 2;
    std::vector<TrajectoryFrame> frames;
    SamplingCallbacks callbacks;
    callbacks.trajectory = [&](const TrajectoryFrame& f) { frames.push_back(f); };
    const auto r = sampler.sample(testImage(16), o, callbacks);
    ASSERT_EQ(frames.size(), 4U);  // t = 0, 1/3, 2/3, 1
    EXPECT_DOUBLE_EQ(frames.front().t, 0.0);
    EXPECT_NEAR(frames.back().t, 1.0, 1e-9);
    EXPECT_EQ(frames.back().states[1].pixels, r.soft[1].pixels);
}

TEST(Sampler, CancelStopsBetweenSteps) {
    const Sampler sampler(flowseg::test::tinyModel());
    SamplingOptions o;
    o.solver = Solver::Euler;
    o.steps = 50;
    o.samples = 2;
    int steps = 0;
    SamplingCallbacks callbacks;
    callbacks.progress = [&](const SamplingProgress& p) { steps = p.step; };
    callbacks.cancelled = [&] { return steps >= 3; };
    EXPECT_THROW((void)sampler.sample(testImage(16), o, callbacks), Cancelled);
    EXPECT_EQ(steps, 3);
}

TEST(Sampler, RejectsImagesOfTheWrongSizeOrRange) {
    const Sampler sampler(flowseg::test::tinyModel());
    SamplingOptions o;
    o.steps = 1;
    EXPECT_THROW((void)sampler.sample(testImage(8), o), InvalidInput);
    auto bad = testImage(16);
    bad.pixels[3] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW((void)sampler.sample(bad, o), InvalidInput);
}

TEST(Sampler, Bf16AutocastStaysCloseToFloat32AndIsSwitchedOffAfterwards) {
    const Sampler sampler(flowseg::test::tinyModel());
    SamplingOptions o;
    o.solver = Solver::Heun;
    o.steps = 4;
    o.samples = 4;
    const auto full = sampler.sample(testImage(16), o);
    o.precision = Precision::BFloat16;
    const auto half = sampler.sample(testImage(16), o);
    double largest = 0;
    for (size_t m = 0; m < full.soft.size(); ++m)
        for (size_t i = 0; i < full.soft[m].pixels.size(); ++i)
            largest = std::max(largest, static_cast<double>(std::abs(full.soft[m].pixels[i] -
                                                                     half.soft[m].pixels[i])));
    EXPECT_GT(largest, 0.0);   // bf16 really ran
    EXPECT_LT(largest, 0.05);  // and stayed close
    // The thread's autocast state is restored: a float32 run afterwards is bit-identical.
    o.precision = Precision::Float32;
    EXPECT_EQ(sampler.sample(testImage(16), o).soft[0].pixels, full.soft[0].pixels);
}

TEST(Sampler, Fp16OnTheCpuIsAClearError) {
    const Sampler sampler(flowseg::test::tinyModel());
    SamplingOptions o;
    o.steps = 2;
    o.precision = Precision::Float16;
    EXPECT_THROW((void)sampler.sample(testImage(16), o), InvalidInput);
    EXPECT_EQ(parsePrecision("bf16"), Precision::BFloat16);
    EXPECT_EQ(precisionName(parsePrecision("fp16")), "fp16");
    EXPECT_THROW((void)parsePrecision("int8"), InvalidInput);
}
