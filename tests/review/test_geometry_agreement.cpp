// Millimetre geometry of outlines and the experts' agreement and consensus,
// against shapes and raters whose answers are known.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "flowseg/engine/metrics.h"
#include "flowseg/review/agreement.h"
#include "flowseg/review/geometry.h"

using namespace flowseg;

namespace {

/// The pixels whose centres lie inside the ellipse (x/a)² + (y/b)² <= 1 (mm),
/// centred at (cx, cy) mm, on a grid of `spacing`.
common::Mask ellipse(int width, int height, const review::PixelSpacing& spacing, double cx,
                     double cy, double a, double b) {
    common::Mask m(height, width);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double dx = ((x + 0.5) * spacing.column - cx) / a;
            const double dy = ((y + 0.5) * spacing.row - cy) / b;
            m.at(y, x) = dx * dx + dy * dy <= 1 ? 1 : 0;
        }
    return m;
}

}  // namespace

TEST(Geometry, ACircleOfKnownRadiusMeasuresRightOnNonSquarePixels) {
    const review::PixelSpacing spacing{0.9, 0.6, 2.5, false};  // rows 0.9 mm apart, columns 0.6 mm
    const double radius = 10;
    const auto circle = ellipse(80, 60, spacing, 24, 27, radius, radius);
    const auto m = review::measureOutline(circle, spacing);
    const double pixel = std::max(spacing.row, spacing.column);
    EXPECT_NEAR(m.longest.mm, 2 * radius, pixel) << "longest diameter";
    EXPECT_NEAR(m.perpendicular.mm, 2 * radius, pixel) << "perpendicular diameter";
    EXPECT_NEAR(m.areaMm2, M_PI * radius * radius, 0.03 * M_PI * radius * radius);
    // The calipers are drawn in pixels: their length in mm is what they report.
    const auto mmLength = [&](const review::Caliper& c) {
        return std::hypot((c.x1 - c.x0) * spacing.column, (c.y1 - c.y0) * spacing.row);
    };
    EXPECT_NEAR(mmLength(m.longest), m.longest.mm, 1e-9);
    EXPECT_NEAR(mmLength(m.perpendicular), m.perpendicular.mm, 1e-9);
    // And the two are perpendicular in millimetres.
    const double dot = (m.longest.x1 - m.longest.x0) * spacing.column *
                           (m.perpendicular.x1 - m.perpendicular.x0) * spacing.column +
                       (m.longest.y1 - m.longest.y0) * spacing.row *
                           (m.perpendicular.y1 - m.perpendicular.y0) * spacing.row;
    EXPECT_NEAR(dot / (m.longest.mm * m.perpendicular.mm), 0, 1e-9);
}

TEST(Geometry, AnEllipsesAxesAreItsTwoDiameters) {
    const review::PixelSpacing spacing{0.7, 0.7, 1.25, false};
    const auto oval = ellipse(80, 80, spacing, 28, 28, 12, 6);  // 24 x 12 mm
    const auto m = review::measureOutline(oval, spacing);
    EXPECT_NEAR(m.longest.mm, 24, 0.7);
    EXPECT_NEAR(m.perpendicular.mm, 12, 0.7);
    // The long axis runs along x (a digital tip is a few pixels flat: within 10 degrees).
    const double angle = std::atan2(std::abs(m.longest.y1 - m.longest.y0) * spacing.row,
                                    std::abs(m.longest.x1 - m.longest.x0) * spacing.column);
    EXPECT_LT(angle * 180 / M_PI, 10.0);
}

TEST(Geometry, EmptyOutlinesAndVolumesOverConsecutiveSlices) {
    const review::PixelSpacing spacing{0.5, 0.5, 2.0, false};
    const auto none = review::measureOutline(common::Mask(10, 10), spacing);
    EXPECT_EQ(none.pixels, 0);
    EXPECT_EQ(none.areaMm2, 0);
    EXPECT_EQ(none.longest.mm, 0);
    common::Mask square(10, 10);
    for (int y = 2; y < 6; ++y)
        for (int x = 2; x < 6; ++x) square.at(y, x) = 1;  // 16 px = 4 mm²
    const auto single = review::measureOutline(square, spacing);
    EXPECT_DOUBLE_EQ(single.areaMm2, 4.0);
    EXPECT_NEAR(single.longest.mm, std::sqrt(2.0) * 2, 0.5);
    const auto volume = review::volumeMm3({{4, &square}, {5, &square}, {6, &square}}, spacing);
    ASSERT_TRUE(volume);
    EXPECT_DOUBLE_EQ(*volume, 3 * 4.0 * 2.0);
    EXPECT_FALSE(review::volumeMm3({{4, &square}}, spacing)) << "one slice has no volume";
    EXPECT_FALSE(review::volumeMm3({{4, &square}, {6, &square}}, spacing))
        << "a gap breaks the stack";
    const auto range = review::rangeOf({3, 1, 2});
    EXPECT_EQ(range.min, 1);
    EXPECT_EQ(range.max, 3);
}

TEST(Agreement, PairwiseDiceAndIou) {
    common::Mask a(8, 8), b(8, 8), empty(8, 8);
    for (int x = 0; x < 4; ++x) a.at(0, x) = 1;  // 4 px
    for (int x = 2; x < 6; ++x) b.at(0, x) = 1;  // 4 px, 2 shared
    const auto pairs = review::pairwiseAgreement({a, b, empty, empty});
    ASSERT_EQ(pairs.size(), 6U);
    EXPECT_DOUBLE_EQ(pairs[0].dice, 0.5);  // 2·2 / (4 + 4)
    EXPECT_DOUBLE_EQ(pairs[0].iou, 2.0 / 6.0);
    EXPECT_DOUBLE_EQ(pairs[1].dice, 0.0);  // a vs empty
    EXPECT_DOUBLE_EQ(pairs[5].dice, 1.0);  // two empty outlines agree
    EXPECT_DOUBLE_EQ(pairs[5].iou, 1.0);
}

TEST(Agreement, StapleOfIdenticalExpertsIsTheirOutline) {
    const review::PixelSpacing unit{1, 1, 1, false};
    const auto disk = ellipse(40, 40, unit, 20, 20, 8, 8);
    const auto r = review::staple({disk, disk, disk});
    EXPECT_TRUE(r.converged);
    EXPECT_EQ(r.consensus, disk);
    for (size_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(r.sensitivity[j], 1.0, 1e-6);
        EXPECT_NEAR(r.specificity[j], 1.0, 1e-6);
    }
}

TEST(Agreement, StapleRecoversKnownRatersAndTheTruth) {
    // The true outline is a disk; each expert misses true pixels and adds false
    // ones at known rates. STAPLE must find those rates and the disk.
    const review::PixelSpacing unit{1, 1, 1, false};
    const auto truth = ellipse(200, 200, unit, 100, 100, 45, 45);
    const std::vector<double> sensitivity{0.95, 0.80, 0.90, 0.70};
    const std::vector<double> specificity{0.99, 0.97, 0.995, 0.98};
    std::mt19937 random(7);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<common::Mask> experts;
    for (size_t j = 0; j < sensitivity.size(); ++j) {
        common::Mask m(200, 200);
        for (size_t i = 0; i < m.size(); ++i)
            m.pixels[i] =
                truth.pixels[i] ? (u(random) < sensitivity[j]) : (u(random) > specificity[j]);
        experts.push_back(m);
    }
    const auto r = review::staple(experts);
    EXPECT_TRUE(r.converged);
    for (size_t j = 0; j < sensitivity.size(); ++j) {
        EXPECT_NEAR(r.sensitivity[j], sensitivity[j], 0.02) << "expert " << j;
        EXPECT_NEAR(r.specificity[j], specificity[j], 0.005) << "expert " << j;
    }
    EXPECT_GT(engine::dice(r.consensus, truth), 0.98);
    // Better than the majority vote, which a 2-2 split leaves out.
    EXPECT_GE(engine::dice(r.consensus, truth), engine::dice(engine::majorityMask(experts), truth));
    EXPECT_THROW((void)review::staple({}), std::invalid_argument);
    EXPECT_THROW((void)review::staple({truth, common::Mask(3, 3)}), std::invalid_argument);
}
