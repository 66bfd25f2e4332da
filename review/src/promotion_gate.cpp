#include "flowseg/review/promotion_gate.h"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <stdexcept>

namespace flowseg::review {

namespace {

std::string fixed(double value, int digits) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

}  // namespace

std::vector<double> perLesionMeans(const std::vector<double>& perCase,
                                   const std::vector<std::size_t>& lesionOfCase,
                                   std::size_t lesions) {
    if (perCase.size() != lesionOfCase.size())
        throw std::invalid_argument("perLesionMeans: one lesion index per case");
    std::vector<double> sum(lesions, 0.0);
    std::vector<int> count(lesions, 0);
    for (std::size_t i = 0; i < perCase.size(); ++i) {
        if (lesionOfCase[i] >= lesions)
            throw std::invalid_argument("perLesionMeans: a lesion index out of range");
        sum[lesionOfCase[i]] += perCase[i];
        ++count[lesionOfCase[i]];
    }
    std::vector<double> out;
    for (std::size_t k = 0; k < lesions; ++k)
        if (count[k] > 0) out.push_back(sum[k] / count[k]);
    return out;
}

double signFlipPValue(const std::vector<double>& differences, std::uint64_t seed) {
    const auto n = differences.size();
    if (n == 0) return 1.0;
    const double observed = std::accumulate(differences.begin(), differences.end(), 0.0);
    // Ties with the observed sum count as at least as extreme (a tolerance for
    // the order of floating-point additions).
    const double tolerance = 1e-12 * (1.0 + std::abs(observed));
    if (n <= 20) {
        const std::uint64_t total = std::uint64_t{1} << n;
        std::uint64_t hits = 0;
        for (std::uint64_t signs = 0; signs < total; ++signs) {
            double sum = 0;
            for (std::size_t i = 0; i < n; ++i)
                sum += ((signs >> i) & 1U) ? -differences[i] : differences[i];
            hits += sum >= observed - tolerance ? 1 : 0;
        }
        return static_cast<double>(hits) / static_cast<double>(total);
    }
    std::mt19937_64 random(seed);
    constexpr std::uint64_t kDraws = 100000;
    std::uint64_t hits = 0;
    for (std::uint64_t draw = 0; draw < kDraws; ++draw) {
        double sum = 0;
        for (const double d : differences) sum += (random() & 1U) ? -d : d;
        hits += sum >= observed - tolerance ? 1 : 0;
    }
    return static_cast<double>(hits + 1) / static_cast<double>(kDraws + 1);
}

GateDecision decidePromotion(const std::vector<double>& parentGed,
                             const std::vector<double>& versionGed, double minimumImprovement,
                             double alpha) {
    if (parentGed.size() != versionGed.size())
        throw std::invalid_argument("decidePromotion: one GED of each model per lesion");
    GateDecision d;
    d.lesions = static_cast<int>(parentGed.size());
    std::vector<double> excess;
    for (std::size_t i = 0; i < parentGed.size(); ++i) {
        const double improvement = parentGed[i] - versionGed[i];
        d.meanImprovement += improvement;
        excess.push_back(improvement - minimumImprovement);
    }
    if (d.lesions == 0) {
        d.reason = "no held-out lesion to judge it on: kept inactive";
        return d;
    }
    d.meanImprovement /= d.lesions;
    d.pValue = signFlipPValue(excess);
    const std::string stated = "GED lower than the parent's by more than " +
                               fixed(minimumImprovement, 4) + " on " + std::to_string(d.lesions) +
                               " held-out lesion" + (d.lesions == 1 ? "" : "s");
    const double smallest = std::ldexp(1.0, -std::min(d.lesions, 60));
    if (d.meanImprovement <= minimumImprovement) {
        d.reason = "mean improvement " + fixed(d.meanImprovement, 4) + " is not " + stated +
                   ": kept inactive";
    } else if (smallest > alpha) {
        int needed = d.lesions;
        while (std::ldexp(1.0, -needed) > alpha) ++needed;
        d.reason = "mean improvement " + fixed(d.meanImprovement, 4) + ", but with " +
                   std::to_string(d.lesions) + " held-out lesions no paired test can show it at " +
                   fixed(100 * alpha, 0) + " % (it needs at least " + std::to_string(needed) +
                   "): kept inactive; a model steward may promote it by hand";
    } else if (d.pValue > alpha) {
        d.reason = "mean improvement " + fixed(d.meanImprovement, 4) +
                   ", p = " + fixed(d.pValue, 3) + " (paired sign-flip test, " + stated +
                   "): not shown at " + fixed(100 * alpha, 0) + " %, kept inactive";
    } else {
        d.promote = true;
        d.reason = "mean improvement " + fixed(d.meanImprovement, 4) +
                   ", p = " + fixed(d.pValue, 3) + " (paired sign-flip test, " + stated +
                   "): promoted";
    }
    return d;
}

}  // namespace flowseg::review
