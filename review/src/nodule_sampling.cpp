#include "flowseg/review/nodule_sampling.h"

#include <algorithm>
#include <stdexcept>

#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"
#include "flowseg/engine/volume_sampler.h"
#include "flowseg/review/expert_outlines.h"

namespace flowseg::review {

NoduleRange noduleRange(const ExpertOutlines& outlines, int boxSlice, int depth) {
    NoduleRange range{boxSlice, boxSlice, boxSlice};
    for (const auto* layer : outlines.layers())
        for (const auto& [slice, mask] : layer->slices)
            if (mask.area() > 0 && slice >= 0 && slice < depth) {
                range.first = std::min(range.first, slice);
                range.last = std::max(range.last, slice);
            }
    return range;
}

NoduleSamples sampleNodule(std::shared_ptr<const engine::Model> model, const dicom::Series& series,
                           const db::BoundingBox& box, const NoduleRange& range,
                           const engine::SamplingOptions& options,
                           const engine::SamplingCallbacks& callbacks, int maxSlices) {
    if (range.first < 0 || range.last >= series.depth || range.first > range.last ||
        range.key < range.first || range.key > range.last)
        throw std::invalid_argument("the nodule's slices " + std::to_string(range.first + 1) +
                                    " to " + std::to_string(range.last + 1) + " (key slice " +
                                    std::to_string(range.key + 1) +
                                    ") are not slices of the series");
    const int side = static_cast<int>(model->options().image_size());
    std::vector<LesionCrop> crops;
    for (int s = range.first; s <= range.last; ++s)
        crops.push_back(cropLesion(series, s, box, side));
    std::vector<common::ImageF> images;
    for (const auto& crop : crops) images.push_back(crop.image);
    // The crops beyond either end, asked for only while a sample continues there.
    std::vector<LesionCrop> below;
    std::vector<LesionCrop> above;
    engine::VolumeGrowth growth;
    growth.maxSlices = std::max(maxSlices, range.size());
    growth.next = [&](int sideOfStack) -> std::optional<common::ImageF> {
        const int slice = sideOfStack > 0 ? range.last + 1 + static_cast<int>(above.size())
                                          : range.first - 1 - static_cast<int>(below.size());
        if (slice < 0 || slice >= series.depth) return std::nullopt;
        auto& grown = sideOfStack > 0 ? above : below;
        grown.push_back(cropLesion(series, slice, box, side));
        return grown.back().image;
    };
    const auto volume = engine::VolumeSampler(std::move(model))
                            .sample(images, range.key - range.first, options, callbacks, growth);
    std::vector<LesionCrop> all(below.rbegin(), below.rend());
    all.insert(all.end(), crops.begin(), crops.end());
    all.insert(all.end(), above.begin(), above.end());
    NoduleSamples out;
    out.keyIndex = volume.keySlice;
    out.coherent = volume.coherent;
    out.networkPasses = volume.networkPasses;
    out.seconds = volume.seconds;
    for (size_t i = 0; i < volume.slices.size(); ++i)
        out.slices.push_back({all.at(i), volume.slices[i]});
    return out;
}

}  // namespace flowseg::review
