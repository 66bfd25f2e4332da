#include "flowseg/engine/volume_metrics.h"

#include <algorithm>
#include <cmath>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

Mask stackSlices(const VolumeMask& slices) {
    if (slices.empty()) throw InvalidInput("a volume needs at least one slice");
    const int h = slices.front().height;
    const int w = slices.front().width;
    Mask out(h * static_cast<int>(slices.size()), w);
    auto target = out.pixels.begin();
    for (const auto& slice : slices) {
        if (slice.height != h || slice.width != w)
            throw InvalidInput("the slices of a volume differ in size");
        target = std::copy(slice.pixels.begin(), slice.pixels.end(), target);
    }
    return out;
}

long voxelCount(const VolumeMask& volume) {
    long n = 0;
    for (const auto& slice : volume) n += slice.area();
    return n;
}

double volumeInCubicMm(const VolumeMask& volume, double rowSpacing, double columnSpacing,
                       double sliceSpacing) {
    if (!(rowSpacing > 0) || !(columnSpacing > 0) || !(sliceSpacing > 0))
        throw InvalidInput("a volume in mm^3 needs positive pixel and slice spacings");
    return static_cast<double>(voxelCount(volume)) * rowSpacing * columnSpacing * sliceSpacing;
}

double quantile(std::vector<double> values, double q) {
    if (values.empty()) throw InvalidInput("quantile of no values");
    std::sort(values.begin(), values.end());
    const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const auto above = std::min(below + 1, values.size() - 1);
    return values[below] +
           (position - static_cast<double>(below)) * (values[above] - values[below]);
}

NoduleMetrics evaluateNodule(const std::vector<VolumeMask>& samples,
                             const std::vector<VolumeMask>& experts, int middle) {
    if (samples.empty() || experts.empty())
        throw InvalidInput("a nodule needs samples and experts to evaluate");
    const size_t slices = experts.front().size();
    for (const auto* set : {&samples, &experts})
        for (const auto& v : *set)
            if (v.size() != slices)
                throw InvalidInput("the samples and experts of a nodule span different slices");
    if (middle < 0 || static_cast<size_t>(middle) >= slices)
        throw InvalidInput("the middle slice is out of range");
    NoduleMetrics m;
    std::vector<Mask> stackedSamples;
    std::vector<Mask> stackedExperts;
    std::vector<Mask> middleSamples;
    std::vector<Mask> middleExperts;
    for (const auto& v : samples) {
        stackedSamples.push_back(stackSlices(v));
        middleSamples.push_back(v[static_cast<size_t>(middle)]);
        m.sampleVoxels.push_back(voxelCount(v));
    }
    for (const auto& v : experts) {
        stackedExperts.push_back(stackSlices(v));
        middleExperts.push_back(v[static_cast<size_t>(middle)]);
        m.expertVoxels.push_back(voxelCount(v));
    }
    m.volume = evaluateCase(stackedSamples, stackedExperts);
    m.middle = evaluateCase(middleSamples, middleExperts);
    const Mask empty(stackedSamples.front().height, stackedSamples.front().width);
    m.emptyGed =
        generalizedEnergyDistance(std::vector<Mask>(samples.size(), empty), stackedExperts);
    std::vector<double> volumes(m.sampleVoxels.begin(), m.sampleVoxels.end());
    const double low = quantile(volumes, 0.05);
    const double high = quantile(volumes, 0.95);
    long inside = 0;
    for (const auto v : m.expertVoxels)
        inside += static_cast<double>(v) >= low && static_cast<double>(v) <= high;
    m.coverage = static_cast<double>(inside) / static_cast<double>(m.expertVoxels.size());
    return m;
}

}  // namespace flowseg::engine
