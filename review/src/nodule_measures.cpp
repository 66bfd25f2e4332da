#include "flowseg/review/nodule_measures.h"

#include <algorithm>
#include <cmath>

namespace flowseg::review {

Spread spreadOf(std::vector<double> values) {
    if (values.empty()) return {};
    std::sort(values.begin(), values.end());
    const auto at = [&values](double q) {
        const double position = q * static_cast<double>(values.size() - 1);
        const auto below = static_cast<size_t>(std::floor(position));
        const auto above = std::min(below + 1, values.size() - 1);
        const double fraction = position - static_cast<double>(below);
        return values[below] + fraction * (values[above] - values[below]);
    };
    return {at(0.5), at(0.05), at(0.95)};
}

NoduleMeasures measureNodule(const std::vector<SliceSamples>& slices, const PixelSpacing& spacing) {
    NoduleMeasures out;
    if (slices.empty()) return out;
    const size_t m = slices.front().result.masks.size();
    out.samples.resize(m);
    for (const auto& slice : slices) {
        const double scale = slice.crop.scale() > 0 ? slice.crop.scale() : 1.0;
        PixelSpacing crop = spacing;
        crop.row = spacing.row * scale;
        crop.column = spacing.column * scale;
        for (size_t k = 0; k < m && k < slice.result.masks.size(); ++k) {
            const auto& mask = slice.result.masks[k];
            if (mask.area() == 0) continue;
            const auto measured = measureOutline(mask, crop);
            auto& sample = out.samples[k];
            sample.volumeMm3 += measured.areaMm2 * spacing.slice;
            ++sample.slices;
            if (measured.longest.mm > sample.longestMm) {
                sample.longestMm = measured.longest.mm;
                sample.perpendicularMm = measured.perpendicular.mm;
            }
        }
    }
    std::vector<double> volumes;
    std::vector<double> longest;
    std::vector<double> perpendicular;
    for (const auto& s : out.samples) {
        volumes.push_back(s.volumeMm3);
        longest.push_back(s.longestMm);
        perpendicular.push_back(s.perpendicularMm);
    }
    out.volumeMm3 = spreadOf(volumes);
    out.longestMm = spreadOf(longest);
    out.perpendicularMm = spreadOf(perpendicular);
    return out;
}

}  // namespace flowseg::review
