// Metrics of DESIGN.md against hand-computed values, and the Hungarian solver
// against brute force.

#include <gtest/gtest.h>
#include <algorithm>
#include <numeric>
#include <random>

#include "flowseg/engine/error.h"
#include "flowseg/engine/hungarian.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/parity.h"
#include "flowseg/engine/resample.h"
#include "flowseg/engine/uncertainty.h"

using namespace flowseg::engine;

namespace {

// A 1 x n mask from a string like "1100".
Mask row(const std::string& bits) {
    Mask m(1, static_cast<int>(bits.size()));
    for (size_t i = 0; i < bits.size(); ++i) m.pixels[i] = bits[i] == '1';
    return m;
}

}  // namespace

TEST(Metrics, IouAndDiceFollowTheEmptyMaskConventions) {
    EXPECT_DOUBLE_EQ(iou(row("0000"), row("0000")), 1.0);
    EXPECT_DOUBLE_EQ(iou(row("0000"), row("0100")), 0.0);
    EXPECT_DOUBLE_EQ(iou(row("1100"), row("0110")), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(dice(row("0000"), row("0000")), 1.0);
    EXPECT_DOUBLE_EQ(dice(row("1100"), row("0110")), 0.5);
    EXPECT_DOUBLE_EQ(dice(row("1000"), row("0000")), 0.0);
}

TEST(Metrics, GedOfASetAgainstItselfIsZero) {
    const std::vector<Mask> set{row("1100"), row("0110"), row("0000"), row("1111")};
    EXPECT_NEAR(generalizedEnergyDistance(set, set), 0.0, 1e-12);
}

TEST(Metrics, GedMatchesAHandComputedValue) {
    // samples {A=1100, B=0000}, experts {C=1000}
    // d(A,C) = 1 - 1/2 = 0.5, d(B,C) = 1  -> cross mean 0.75
    // among samples: d(A,A)=0, d(A,B)=1, d(B,A)=1, d(B,B)=0 -> 0.5 ; experts: 0
    // GED = 2*0.75 - 0.5 - 0 = 1.0
    EXPECT_NEAR(generalizedEnergyDistance({row("1100"), row("0000")}, {row("1000")}), 1.0, 1e-12);
    // Both empty everywhere: every distance is 0.
    EXPECT_NEAR(generalizedEnergyDistance({row("000")}, {row("000"), row("000")}), 0.0, 1e-12);
}

TEST(Metrics, EvaluateCaseReportsTheThreeGedTerms) {
    // Same sets as above: cross 0.75, samples 0.5, experts 0.
    const auto m = evaluateCase({row("1100"), row("0000")}, {row("1000")});
    EXPECT_NEAR(m.crossDistance, 0.75, 1e-12);
    EXPECT_NEAR(m.sampleDiversity, 0.5, 1e-12);
    EXPECT_NEAR(m.expertDiversity, 0.0, 1e-12);
    EXPECT_NEAR(m.ged, 2 * m.crossDistance - m.sampleDiversity - m.expertDiversity, 1e-12);
    // Two different experts: d(1100, 0011) = 1 both ways, so E d(Y, Y') = 2/4.
    const auto n = evaluateCase({row("1100")}, {row("1100"), row("0011")});
    EXPECT_NEAR(n.expertDiversity, 0.5, 1e-12);
    EXPECT_NEAR(n.crossDistance, 0.5, 1e-12);
    EXPECT_NEAR(n.ged, generalizedEnergyDistance({row("1100")}, {row("1100"), row("0011")}), 1e-12);
}

TEST(Metrics, HungarianMatchedIouUsesLcmCopies) {
    // 2 samples vs 1 expert: L = 2, both samples matched to (copies of) the expert.
    const double v = hungarianMatchedIou({row("1100"), row("1000")}, {row("1000")});
    EXPECT_NEAR(v, (0.5 + 1.0) / 2.0, 1e-12);
    // 2 vs 2 with a perfect matching available in swapped order.
    EXPECT_NEAR(hungarianMatchedIou({row("1100"), row("0011")}, {row("0011"), row("1100")}), 1.0,
                1e-12);
    // 3 samples vs 2 experts: L = 6, each sample appears twice, each expert three times.
    const std::vector<Mask> s{row("1100"), row("0011"), row("1100")};
    const std::vector<Mask> e{row("1100"), row("0011")};
    // Expert 1100 has 3 copies, samples "1100" give 4 copies: 3 match perfectly, the
    // 4th must go to 0011 (IoU 0); the two 0011 samples match 0011 perfectly (+1 copy).
    EXPECT_NEAR(hungarianMatchedIou(s, e), 5.0 / 6.0, 1e-12);
}

TEST(Metrics, ConsensusAndMaximumDice) {
    const std::vector<Mask> samples{row("1100"), row("1110"), row("0100")};
    const std::vector<Mask> experts{row("0100"), row("0110")};
    // majority(samples) = 1100 (votes 2,3,1,0 of 3); majority(experts) = 0100 (votes 0,2,1,0 of 2:
    // strict)
    EXPECT_NEAR(consensusDice(samples, experts), 2.0 * 1 / (2 + 1), 1e-12);
    // expert 0100: best sample 0100 -> 1. expert 0110: 1110 -> 2*2/(3+2)=0.8; 1100 -> 0.5; 0100 ->
    // 2/3
    EXPECT_NEAR(maximumDice(samples, experts), (1.0 + 0.8) / 2.0, 1e-12);
    EXPECT_NEAR(consensusDice({row("000")}, {row("000")}), 1.0, 1e-12);
}

TEST(Metrics, SingleMaskGedRepeatsTheExpertMajority) {
    const std::vector<Mask> experts{row("1100"), row("1000"), row("1110")};
    const Mask majority = majorityMask(experts);
    EXPECT_EQ(majority, row("1100"));
    const std::vector<Mask> repeated(5, majority);
    EXPECT_NEAR(singleMaskGed(experts, 5), generalizedEnergyDistance(repeated, experts), 1e-12);
    EXPECT_GT(singleMaskGed(experts, 5), 0.0);
}

TEST(Metrics, VarianceCorrelationIsUndefinedWhenExpertsAgree) {
    const std::vector<Mask> samples{row("1100"), row("1000")};
    EXPECT_FALSE(varianceCorrelation(samples, {row("1100"), row("1100")}).has_value());
    const auto r = varianceCorrelation(samples, {row("1100"), row("1000")});
    ASSERT_TRUE(r.has_value());
    EXPECT_NEAR(*r, 1.0, 1e-9);
}

TEST(Metrics, MismatchedSizesAreRejected) {
    EXPECT_THROW(generalizedEnergyDistance({row("11")}, {row("111")}), InvalidInput);
    EXPECT_THROW(generalizedEnergyDistance({}, {row("111")}), InvalidInput);
}

TEST(Uncertainty, ProbabilityVarianceAndEntropy) {
    const auto maps = uncertaintyMaps({row("1100"), row("1000"), row("1010"), row("1000")});
    EXPECT_FLOAT_EQ(maps.probability.pixels[0], 1.0F);
    EXPECT_FLOAT_EQ(maps.probability.pixels[1], 0.25F);
    EXPECT_FLOAT_EQ(maps.variance.pixels[1], 0.25F * 0.75F);
    EXPECT_FLOAT_EQ(maps.variance.pixels[0], 0.0F);
    EXPECT_FLOAT_EQ(maps.entropy.pixels[3], 0.0F);
    EXPECT_NEAR(maps.entropy.pixels[1], -(0.25 * std::log2(0.25) + 0.75 * std::log2(0.75)), 1e-6);
}

class HungarianBruteForce : public ::testing::TestWithParam<int> {};

TEST_P(HungarianBruteForce, MatchesExhaustiveSearch) {
    const int n = GetParam();
    std::mt19937 rng(1234 + n);
    std::uniform_real_distribution<double> u(0, 1);
    for (int trial = 0; trial < 30; ++trial) {
        std::vector<double> cost(static_cast<size_t>(n) * n);
        // Ties are common in HM-IoU (repeated copies), so round some costs.
        for (auto& c : cost) c = trial % 2 ? std::round(u(rng) * 4) / 4 : u(rng);
        const auto assignment = solveAssignment(cost, n);
        std::vector<int> used(n, 0);
        double total = 0;
        for (int r = 0; r < n; ++r) {
            ASSERT_GE(assignment[r], 0);
            ASSERT_LT(assignment[r], n);
            ASSERT_EQ(used[assignment[r]]++, 0) << "column assigned twice";
            total += cost[r * n + assignment[r]];
        }
        std::vector<int> perm(n);
        std::iota(perm.begin(), perm.end(), 0);
        double best = 1e18;
        do {
            double sum = 0;
            for (int r = 0; r < n; ++r) sum += cost[r * n + perm[r]];
            best = std::min(best, sum);
        } while (std::next_permutation(perm.begin(), perm.end()));
        EXPECT_NEAR(total, best, 1e-9);
    }
}

INSTANTIATE_TEST_SUITE_P(Sizes, HungarianBruteForce, ::testing::Values(1, 2, 3, 4, 5, 6, 7),
                         [](const auto& info) { return std::to_string(info.param); });

TEST(Resample, CropsThatAreWholeMultiplesOfTheModelFitByBoxAveraging) {
    EXPECT_EQ(fitFactor(64, 64, 64), 1);
    EXPECT_EQ(fitFactor(128, 128, 64), 2);
    EXPECT_THROW((void)fitFactor(96, 96, 64), InvalidInput);   // not a whole multiple
    EXPECT_THROW((void)fitFactor(128, 64, 64), InvalidInput);  // not square
    ImageF image(4, 4);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) image.at(y, x) = static_cast<float>(y * 4 + x);
    const auto half = boxDownsample(image, 2);
    ASSERT_EQ(half.width, 2);
    EXPECT_FLOAT_EQ(half.at(0, 0), (0 + 1 + 4 + 5) / 4.0F);
    EXPECT_FLOAT_EQ(half.at(1, 1), (10 + 11 + 14 + 15) / 4.0F);
    Mask mask(2, 2);
    mask.at(0, 1) = 1;
    const auto big = replicate(mask, 2);
    ASSERT_EQ(big.width, 4);
    EXPECT_EQ(big.area(), 4);
    EXPECT_EQ(big.at(1, 3), 1);
    EXPECT_EQ(big.at(2, 3), 0);
}

TEST(Parity, CheapestSettingWithinTheGedBandOfThePaperSetting) {
    const auto row = [](const char* name, double passes, double seconds, nlohmann::json ged) {
        return nlohmann::json{{"name", name},
                              {"passes_per_case", passes},
                              {"seconds_per_case", seconds},
                              {"ged", ged}};
    };
    const nlohmann::json rows = {
        row("paper", 6000, 70, 0.280),   row("euler-3", 90, 1.1, 0.327),
        row("heun-3", 180, 2.2, 0.2895), row("midpoint-3", 180, 2.3, 0.286),
        row("rk4-5", 600, 8.4, 0.279),   row("untimed", 10, 0.1, nullptr)};
    // euler-3 is cheaper but 0.047 off; of the two at 180 passes the lower GED wins,
    // though heun-3 timed faster (at equal passes that is noise).
    EXPECT_EQ(cheapestAtParity(rows, "paper"), "midpoint-3");
    nlohmann::json tied = rows;
    tied[2]["ged"] = 0.286;  // equal GED too: the faster one
    EXPECT_EQ(cheapestAtParity(tied, "paper"), "heun-3");
    EXPECT_EQ(cheapestAtParity(rows, "paper", 0.005), "rk4-5");
    EXPECT_EQ(cheapestAtParity(rows, "paper", 0.0), "paper");  // the paper setting itself qualifies
    EXPECT_FALSE(cheapestAtParity(rows, "absent"));
    EXPECT_FALSE(
        cheapestAtParity(nlohmann::json::array({row("paper", 6000, 70, nullptr)}), "paper"));
}
