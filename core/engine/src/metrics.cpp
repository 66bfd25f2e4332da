#include "flowseg/engine/metrics.h"

#include <cmath>
#include <numeric>

#include "flowseg/engine/error.h"
#include "flowseg/engine/hungarian.h"
#include "flowseg/engine/uncertainty.h"

namespace flowseg::engine {

namespace {

void requireSameShapes(const std::vector<Mask>& samples, const std::vector<Mask>& experts) {
    requireSameShape(samples, "samples");
    requireSameShape(experts, "expert masks");
    if (!samples.front().sameShape(experts.front()))
        throw InvalidInput("samples and expert masks differ in size");
}

std::pair<long, long> intersectionAndUnion(const Mask& a, const Mask& b) {
    if (!a.sameShape(b)) throw InvalidInput("masks differ in size");
    long intersection = 0;
    long unionCount = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        const bool x = a.pixels[i] != 0;
        const bool y = b.pixels[i] != 0;
        intersection += x && y;
        unionCount += x || y;
    }
    return {intersection, unionCount};
}

double meanDistance(const std::vector<Mask>& a, const std::vector<Mask>& b) {
    double sum = 0;
    for (const auto& x : a)
        for (const auto& y : b) sum += 1.0 - iou(x, y);
    return sum / static_cast<double>(a.size() * b.size());
}

// GED and its three terms, computed once for both generalizedEnergyDistance and evaluateCase.
struct GedTerms {
    double cross = 0;            // E d(S, Y)
    double sampleDiversity = 0;  // E d(S, S')
    double expertDiversity = 0;  // E d(Y, Y')
    [[nodiscard]] double ged() const { return 2.0 * cross - sampleDiversity - expertDiversity; }
};

GedTerms gedTerms(const std::vector<Mask>& samples, const std::vector<Mask>& experts) {
    requireSameShapes(samples, experts);
    return {meanDistance(samples, experts), meanDistance(samples, samples),
            meanDistance(experts, experts)};
}

std::vector<float> varianceOf(const std::vector<Mask>& masks) {
    return uncertaintyMaps(masks).variance.pixels;
}

}  // namespace

double iou(const Mask& a, const Mask& b) {
    const auto [intersection, unionCount] = intersectionAndUnion(a, b);
    if (unionCount == 0) return 1.0;
    return static_cast<double>(intersection) / static_cast<double>(unionCount);
}

double dice(const Mask& a, const Mask& b) {
    const auto [intersection, unionCount] = intersectionAndUnion(a, b);
    const long total = intersection + unionCount;  // |A| + |B|
    if (total == 0) return 1.0;
    return 2.0 * static_cast<double>(intersection) / static_cast<double>(total);
}

Mask majorityMask(const std::vector<Mask>& masks) {
    requireSameShape(masks, "masks");
    Mask out(masks.front().height, masks.front().width);
    std::vector<int> votes(out.size(), 0);
    for (const auto& m : masks)
        for (size_t i = 0; i < votes.size(); ++i) votes[i] += m.pixels[i] != 0;
    for (size_t i = 0; i < votes.size(); ++i)
        out.pixels[i] = 2 * votes[i] > static_cast<int>(masks.size()) ? 1 : 0;
    return out;
}

double generalizedEnergyDistance(const std::vector<Mask>& samples,
                                 const std::vector<Mask>& experts) {
    return gedTerms(samples, experts).ged();
}

double hungarianMatchedIou(const std::vector<Mask>& samples, const std::vector<Mask>& experts) {
    requireSameShapes(samples, experts);
    const int n = static_cast<int>(samples.size());
    const int m = static_cast<int>(experts.size());
    const int l = std::lcm(n, m);
    // IoU only depends on the original pair, so compute the n*m table once.
    std::vector<double> pairIou(static_cast<size_t>(n) * m);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) pairIou[i * m + j] = iou(samples[i], experts[j]);
    std::vector<double> cost(static_cast<size_t>(l) * l);
    for (int r = 0; r < l; ++r)
        for (int c = 0; c < l; ++c) cost[r * l + c] = 1.0 - pairIou[(r % n) * m + (c % m)];
    const auto assignment = solveAssignment(cost, l);
    double sum = 0;
    for (int r = 0; r < l; ++r) sum += 1.0 - cost[r * l + assignment[r]];
    return sum / l;
}

double consensusDice(const std::vector<Mask>& samples, const std::vector<Mask>& experts) {
    requireSameShapes(samples, experts);
    return dice(majorityMask(samples), majorityMask(experts));
}

double maximumDice(const std::vector<Mask>& samples, const std::vector<Mask>& experts) {
    requireSameShapes(samples, experts);
    double sum = 0;
    for (const auto& e : experts) {
        double best = 0;
        for (const auto& s : samples) best = std::max(best, dice(s, e));
        sum += best;
    }
    return sum / static_cast<double>(experts.size());
}

std::optional<double> pearson(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || a.empty()) throw InvalidInput("pearson: series differ in length");
    double meanA = 0;
    double meanB = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        meanA += a[i];
        meanB += b[i];
    }
    meanA /= static_cast<double>(a.size());
    meanB /= static_cast<double>(b.size());
    double cov = 0;
    double varA = 0;
    double varB = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double da = a[i] - meanA;
        const double db = b[i] - meanB;
        cov += da * db;
        varA += da * da;
        varB += db * db;
    }
    if (varA <= 1e-18 || varB <= 1e-18) return std::nullopt;
    return cov / std::sqrt(varA * varB);
}

std::optional<double> varianceCorrelation(const std::vector<Mask>& samples,
                                          const std::vector<Mask>& experts) {
    requireSameShapes(samples, experts);
    return pearson(varianceOf(samples), varianceOf(experts));
}

double singleMaskGed(const std::vector<Mask>& experts, int copies) {
    if (copies < 1) throw InvalidInput("singleMaskGed: copies must be at least 1");
    const std::vector<Mask> single(static_cast<size_t>(copies), majorityMask(experts));
    return generalizedEnergyDistance(single, experts);
}

CaseMetrics evaluateCase(const std::vector<Mask>& samples, const std::vector<Mask>& experts) {
    CaseMetrics m;
    const auto terms = gedTerms(samples, experts);
    m.crossDistance = terms.cross;
    m.sampleDiversity = terms.sampleDiversity;
    m.expertDiversity = terms.expertDiversity;
    m.ged = terms.ged();
    m.hmIou = hungarianMatchedIou(samples, experts);
    m.dice = consensusDice(samples, experts);
    m.dMax = maximumDice(samples, experts);
    m.varianceCorrelation = varianceCorrelation(samples, experts);
    m.singleMaskGed = singleMaskGed(experts, static_cast<int>(samples.size()));
    return m;
}

}  // namespace flowseg::engine
