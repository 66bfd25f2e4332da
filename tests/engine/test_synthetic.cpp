// The synthetic multi-rater generator: deterministic, and shaped like the public
// LIDC crops that DESIGN.md measures.

#include <gtest/gtest.h>
#include <algorithm>
#include <cstdio>

#include "flowseg/engine/error.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/synthetic.h"

using namespace flowseg::engine;

TEST(Synthetic, SameSeedAndIndexGiveTheSameCase) {
    const SyntheticOptions o{64, 4, 11};
    const auto a = generateSyntheticCase(o, 3);
    const auto b = generateSyntheticCase(o, 3);
    EXPECT_EQ(a.data.image.pixels, b.data.image.pixels);
    EXPECT_EQ(a.data.experts, b.data.experts);
    const auto c = generateSyntheticCase(o, 4);
    EXPECT_NE(a.data.image.pixels, c.data.image.pixels);
}

TEST(Synthetic, ASetDrawnOnSeveralThreadsIsTheSetDrawnOneByOne) {
    const SyntheticOptions o{32, 3, 17};
    const auto parallel = generateSyntheticCases(o, 23, 4);
    ASSERT_EQ(parallel.size(), 23u);
    for (int i = 0; i < 23; ++i) {
        const auto one = generateSyntheticCase(o, i);
        EXPECT_EQ(parallel[i].data.id, one.data.id);
        EXPECT_EQ(parallel[i].data.image.pixels, one.data.image.pixels);
        EXPECT_EQ(parallel[i].data.experts, one.data.experts);
        EXPECT_EQ(parallel[i].lesion.toJson(), one.lesion.toJson());
    }
    EXPECT_TRUE(generateSyntheticCases(o, 0, 4).empty());
    EXPECT_THROW(generateSyntheticCases({8, 3, 17}, 5, 4), InvalidInput);
}

TEST(Synthetic, LesionRoundTripsThroughJson) {
    const auto c = generateSyntheticCase({64, 2, 5}, 0);
    const auto back = SyntheticLesion::fromJson(c.lesion.toJson());
    EXPECT_DOUBLE_EQ(back.radius, c.lesion.radius);
    EXPECT_EQ(back.shapePhase, c.lesion.shapePhase);
    EXPECT_THROW(SyntheticLesion::fromJson("{\"size\": 3}"), std::exception);
}

TEST(Synthetic, StatisticsResembleLidcCrops) {
    const SyntheticOptions o{128, 4, 2026};
    std::vector<float> grey;
    std::vector<long> areas;
    int emptyMasks = 0;
    int masks = 0;
    double worstCentroidOffset = 0;
    for (int i = 0; i < 60; ++i) {
        const auto c = generateSyntheticCase(o, i);
        for (size_t p = 0; p < c.data.image.pixels.size(); p += 7)
            grey.push_back(c.data.image.pixels[p]);
        for (const auto& m : c.data.experts) {
            ++masks;
            const long a = m.area();
            if (a == 0) {
                ++emptyMasks;
                continue;
            }
            areas.push_back(a);
            double cx = 0, cy = 0;
            for (int y = 0; y < m.height; ++y)
                for (int x = 0; x < m.width; ++x)
                    if (m.at(y, x)) {
                        cx += x + 0.5;
                        cy += y + 0.5;
                    }
            worstCentroidOffset =
                std::max({worstCentroidOffset, std::abs(cx / a - 64), std::abs(cy / a - 64)});
        }
    }
    std::sort(grey.begin(), grey.end());
    const auto pct = [&](double q) {
        return 255.0 * grey[static_cast<size_t>(q * (grey.size() - 1))];
    };
    std::printf("grey p1/25/50/75/99: %.0f/%.0f/%.0f/%.0f/%.0f\n", pct(0.01), pct(0.25), pct(0.5),
                pct(0.75), pct(0.99));
    // DESIGN.md: 1/11/16/65/133 at percentiles 1/25/50/75/99.
    EXPECT_LT(pct(0.01), 8);
    EXPECT_NEAR(pct(0.25), 11, 6);
    EXPECT_NEAR(pct(0.50), 16, 8);
    EXPECT_NEAR(pct(0.75), 65, 30);
    EXPECT_NEAR(pct(0.99), 133, 40);
    const double emptyRate = static_cast<double>(emptyMasks) / masks;
    EXPECT_GT(emptyRate, 0.07);
    EXPECT_LT(emptyRate, 0.30);
    std::sort(areas.begin(), areas.end());
    const auto areaPct = [&](double q) {
        return areas[static_cast<size_t>(q * (areas.size() - 1))];
    };
    std::printf("empty %.3f, non-empty area p10/50/90: %ld/%ld/%ld\n", emptyRate, areaPct(0.1),
                areaPct(0.5), areaPct(0.9));
    EXPECT_NEAR(areaPct(0.5), 102, 50);
    EXPECT_LT(areaPct(0.1), 45);
    EXPECT_LT(areaPct(0.9), 420);
    EXPECT_LT(worstCentroidOffset, 2.5);
}

TEST(Synthetic, OracleGedIsBelowTheSingleMaskGedOnAmbiguousLesions) {
    // Averaged over cases, the true rater model beats any single answer.
    double oracle = 0, single = 0;
    for (int i = 0; i < 30; ++i) {
        const auto c = generateSyntheticCase({64, 8, 77}, i);
        oracle += oracleGed(c.lesion, c.data.experts, 15, 1000 + i);
        single += singleMaskGed(c.data.experts, 15);
    }
    EXPECT_LT(oracle, single);
}
