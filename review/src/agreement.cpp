#include "flowseg/review/agreement.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "flowseg/engine/metrics.h"

namespace flowseg::review {

std::vector<PairAgreement> pairwiseAgreement(const std::vector<common::Mask>& masks) {
    std::vector<PairAgreement> pairs;
    for (size_t i = 0; i < masks.size(); ++i)
        for (size_t j = i + 1; j < masks.size(); ++j)
            pairs.push_back(
                {i, j, engine::dice(masks[i], masks[j]), engine::iou(masks[i], masks[j])});
    return pairs;
}

StapleResult staple(const std::vector<common::Mask>& masks, int maxIterations, double tolerance) {
    if (masks.empty()) throw std::invalid_argument("STAPLE needs at least one expert's outline");
    for (const auto& m : masks)
        if (!m.sameShape(masks.front()))
            throw std::invalid_argument("STAPLE needs outlines of one shape");
    const size_t experts = masks.size();
    if (experts > 24) throw std::invalid_argument("STAPLE here takes at most 24 experts");
    // Pixels only differ by which experts mark them: EM runs over those patterns.
    std::map<std::uint32_t, double> patterns;  // pattern -> pixel count
    const size_t pixels = masks.front().size();
    std::vector<std::uint32_t> patternOf(pixels, 0);
    double foreground = 0;
    for (size_t i = 0; i < pixels; ++i) {
        std::uint32_t pattern = 0;
        for (size_t j = 0; j < experts; ++j)
            if (masks[j].pixels[i]) {
                pattern |= 1U << j;
                foreground += 1;
            }
        patternOf[i] = pattern;
        patterns[pattern] += 1;
    }
    StapleResult r;
    r.prior = foreground / (static_cast<double>(experts) * static_cast<double>(pixels));
    r.sensitivity.assign(experts, 0.99);
    r.specificity.assign(experts, 0.99);
    std::map<std::uint32_t, double> weight;  // pattern -> P(T = 1 | its votes)
    const auto estep = [&] {
        for (const auto& [pattern, count] : patterns) {
            double a = r.prior;
            double b = 1 - r.prior;
            for (size_t j = 0; j < experts; ++j) {
                const bool marks = (pattern >> j) & 1U;
                a *= marks ? r.sensitivity[j] : 1 - r.sensitivity[j];
                b *= marks ? 1 - r.specificity[j] : r.specificity[j];
            }
            weight[pattern] = a + b > 0 ? a / (a + b) : 0.5;
        }
    };
    for (r.iterations = 0; r.iterations < maxIterations;) {
        estep();
        ++r.iterations;
        double change = 0;
        for (size_t j = 0; j < experts; ++j) {
            double truePositive = 0, positive = 0, trueNegative = 0, negative = 0;
            for (const auto& [pattern, count] : patterns) {
                const double w = weight[pattern];
                const bool marks = (pattern >> j) & 1U;
                positive += w * count;
                negative += (1 - w) * count;
                if (marks)
                    truePositive += w * count;
                else
                    trueNegative += (1 - w) * count;
            }
            const double p = positive > 0 ? truePositive / positive : r.sensitivity[j];
            const double q = negative > 0 ? trueNegative / negative : r.specificity[j];
            change =
                std::max({change, std::abs(p - r.sensitivity[j]), std::abs(q - r.specificity[j])});
            r.sensitivity[j] = p;
            r.specificity[j] = q;
        }
        if (change < tolerance) {
            r.converged = true;
            break;
        }
    }
    estep();
    const auto& shape = masks.front();
    r.probability = common::ImageF(shape.height, shape.width);
    r.consensus = common::Mask(shape.height, shape.width);
    for (size_t i = 0; i < pixels; ++i) {
        const double w = weight[patternOf[i]];
        r.probability.pixels[i] = static_cast<float>(w);
        r.consensus.pixels[i] = w >= 0.5 ? 1 : 0;
    }
    return r;
}

}  // namespace flowseg::review
