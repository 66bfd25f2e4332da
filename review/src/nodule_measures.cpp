#include "flowseg/review/nodule_measures.h"

#include <algorithm>
#include <cmath>

namespace flowseg::review {

namespace {

/// The largest 8-connected part of `mask` (a sample can hold a stray speck or a
/// second blob; a diameter is measured across the nodule, not between them).
common::Mask largestComponent(const common::Mask& mask) {
    const int w = mask.width;
    const int h = mask.height;
    std::vector<int> label(mask.pixels.size(), 0);
    std::vector<int> sizes{0};
    std::vector<int> stack;
    for (int start = 0; start < w * h; ++start) {
        if (!mask.pixels[static_cast<size_t>(start)] || label[static_cast<size_t>(start)]) continue;
        const int id = static_cast<int>(sizes.size());
        sizes.push_back(0);
        stack.push_back(start);
        label[static_cast<size_t>(start)] = id;
        while (!stack.empty()) {
            const int p = stack.back();
            stack.pop_back();
            ++sizes.back();
            const int x = p % w;
            const int y = p / w;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const int nx = x + dx;
                    const int ny = y + dy;
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    const auto q =
                        static_cast<size_t>(ny) * static_cast<size_t>(w) + static_cast<size_t>(nx);
                    if (mask.pixels[q] && !label[q]) {
                        label[q] = id;
                        stack.push_back(static_cast<int>(q));
                    }
                }
        }
    }
    const int best = static_cast<int>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
    common::Mask out(h, w);
    for (size_t i = 0; i < out.pixels.size(); ++i) out.pixels[i] = label[i] == best ? 1 : 0;
    return out;
}

}  // namespace

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
            const auto measured = measureOutline(largestComponent(mask), crop);
            auto& sample = out.samples[k];
            sample.volumeMm3 += measureOutline(mask, crop).areaMm2 * spacing.slice;
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
