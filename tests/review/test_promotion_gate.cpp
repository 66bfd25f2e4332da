// The validation gate's paired test: exact sign-flip p-values, the minimum
// improvement, and what it says when too few lesions are held out.

#include <gtest/gtest.h>

#include "flowseg/review/promotion_gate.h"

using namespace flowseg::review;

TEST(PromotionGate, ExactSignFlipPValues) {
    // All of n differences positive: only the observed signs reach the sum.
    EXPECT_DOUBLE_EQ(signFlipPValue({0.1, 0.2, 0.3, 0.4, 0.5}), 1.0 / 32);
    // One of three negative: sums >= 0.4 among the 8 flips of {0.1, 0.2, -0.3}...
    // flips: (+-0.1)+(+-0.2)+(+-0.3): sums 0.6 (0.1+0.2+0.3), 0.4 (-0.1+0.2+0.3),
    // 0.2, 0.0, 0.0, -0.2, -0.4, -0.6; observed 0.1+0.2-0.3 = 0.0: five of eight.
    EXPECT_DOUBLE_EQ(signFlipPValue({0.1, 0.2, -0.3}), 5.0 / 8);
    EXPECT_DOUBLE_EQ(signFlipPValue({}), 1.0);
    // Beyond 20 values, a seeded Monte Carlo estimate close to the exact 2^-n.
    std::vector<double> many(24, 0.1);
    EXPECT_LT(signFlipPValue(many), 1e-4);
    many[0] = -5;
    EXPECT_GT(signFlipPValue(many), 0.3);
}

TEST(PromotionGate, PerLesionMeansGroupTheSlicesOfALesion) {
    EXPECT_EQ(perLesionMeans({1, 3, 10, 4}, {0, 0, 2, 1}, 3), (std::vector<double>{2, 4, 10}));
    EXPECT_EQ(perLesionMeans({1}, {0}, 2), (std::vector<double>{1}));
    EXPECT_THROW(perLesionMeans({1, 2}, {0}, 1), std::invalid_argument);
    EXPECT_THROW(perLesionMeans({1}, {3}, 2), std::invalid_argument);
}

TEST(PromotionGate, PromotesOnlyAnImprovementBeyondTheMinimumThatThePairedTestShows) {
    const std::vector<double> parent{0.40, 0.50, 0.30, 0.60, 0.45, 0.35};
    const std::vector<double> better{0.30, 0.41, 0.22, 0.49, 0.36, 0.27};
    auto d = decidePromotion(parent, better, 0.0);
    EXPECT_TRUE(d.promote) << d.reason;
    EXPECT_EQ(d.lesions, 6);
    EXPECT_NEAR(d.meanImprovement, 0.55 / 6, 1e-9);
    EXPECT_DOUBLE_EQ(d.pValue, 1.0 / 64);
    EXPECT_NE(d.reason.find("promoted"), std::string::npos);

    // The same versions against a stated minimum of 0.1: not exceeded.
    d = decidePromotion(parent, better, 0.1);
    EXPECT_FALSE(d.promote);
    EXPECT_NE(d.reason.find("0.1000"), std::string::npos) << d.reason;

    // A mean improvement carried by one lesion while the others get worse.
    const std::vector<double> lucky{0.02, 0.52, 0.32, 0.62, 0.47, 0.37};
    d = decidePromotion(parent, lucky, 0.0);
    EXPECT_GT(d.meanImprovement, 0);
    EXPECT_FALSE(d.promote) << d.reason;
    EXPECT_GT(d.pValue, 0.05);
    EXPECT_NE(d.reason.find("not shown"), std::string::npos) << d.reason;
}

TEST(PromotionGate, TooFewHeldOutLesionsSaySoAndKeepTheParent) {
    const auto d = decidePromotion({0.5, 0.5, 0.5}, {0.1, 0.1, 0.1}, 0.0);
    EXPECT_FALSE(d.promote);
    EXPECT_DOUBLE_EQ(d.pValue, 1.0 / 8);
    EXPECT_NE(d.reason.find("needs at least 5"), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("steward"), std::string::npos) << d.reason;
    EXPECT_FALSE(decidePromotion({}, {}, 0.0).promote);
    EXPECT_THROW(decidePromotion({0.1}, {}, 0.0), std::invalid_argument);
}
