#include "flowseg/review/lesion_agreement.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "flowseg/engine/metrics.h"
#include "flowseg/engine/volume_metrics.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/review_session.h"

namespace flowseg::review {

namespace {

/// Slices stacked into one mask (the same slices for every expert), for 3D Dice.
common::Mask stack(const ExpertLayer& layer, const std::set<int>& slices, int width, int height) {
    common::Mask out(height * static_cast<int>(slices.size()), width);
    size_t offset = 0;
    for (const int slice : slices) {
        if (const auto it = layer.slices.find(slice);
            it != layer.slices.end() && it->second.width == width && it->second.height == height)
            std::copy(it->second.pixels.begin(), it->second.pixels.end(),
                      out.pixels.begin() + static_cast<long>(offset));
        offset += static_cast<size_t>(width) * height;
    }
    return out;
}

}  // namespace

namespace {

/// The GED of the experts' and the samples' outlines over the volume: every
/// slice the samples or the experts reach, on the samples' crop window (the same
/// on every slice) in slice pixels; each outline stacked over those slices.
std::pair<double, int> volumeGed(const std::vector<const ExpertLayer*>& layers,
                                 const LesionResult& result, int width, int height) {
    std::set<int> slices;
    for (const auto& s : result.slices) slices.insert(s.crop.slice);
    for (const auto* layer : layers)
        for (const auto& [slice, mask] : layer->slices)
            if (mask.area() > 0) slices.insert(slice);
    auto window = cropFootprint(result.slices.front().crop, width, height);
    window.x1 = std::max(window.x1, window.x0 + 1);
    window.y1 = std::max(window.y1, window.y0 + 1);
    const int w = window.width();
    const int h = window.height();
    const auto region = [&](const common::Mask& onSlice) {
        common::Mask out(h, w);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) out.at(y, x) = onSlice.at(window.y0 + y, window.x0 + x);
        return out;
    };
    const size_t m = result.slices.front().result.masks.size();
    std::vector<engine::VolumeMask> samples(m);
    std::vector<engine::VolumeMask> experts(layers.size());
    for (const int slice : slices) {
        const auto* here = result.onSlice(slice);
        for (size_t k = 0; k < m; ++k)
            samples[k].push_back(here && k < here->result.masks.size()
                                     ? maskOnRegion(here->crop, here->result.masks[k], window)
                                     : common::Mask(h, w));
        for (size_t e = 0; e < layers.size(); ++e) {
            const auto it = layers[e]->slices.find(slice);
            experts[e].push_back(it != layers[e]->slices.end() && it->second.width == width &&
                                         it->second.height == height
                                     ? region(it->second)
                                     : common::Mask(h, w));
        }
    }
    std::vector<common::Mask> stackedSamples;
    std::vector<common::Mask> stackedExperts;
    for (const auto& v : samples) stackedSamples.push_back(engine::stackSlices(v));
    for (const auto& v : experts) stackedExperts.push_back(engine::stackSlices(v));
    return {engine::generalizedEnergyDistance(stackedSamples, stackedExperts),
            static_cast<int>(slices.size())};
}

}  // namespace

LesionAgreement computeAgreement(const ExpertOutlines& outlines, const LesionResult* result,
                                 int width, int height, const PixelSpacing& spacing) {
    LesionAgreement a;
    std::vector<const ExpertLayer*> layers;
    std::set<int> slices;
    for (const auto* layer : outlines.layers()) {
        if (layer->empty()) continue;
        layers.push_back(layer);
        a.experts.push_back(layer->expert.name);
        for (const auto& [slice, mask] : layer->slices) slices.insert(slice);
        ExpertMeasures m{layer->expert.name, {}, std::nullopt};
        std::vector<std::pair<int, const common::Mask*>> stackForVolume;
        for (const auto& [slice, mask] : layer->slices) {
            if (mask.area() == 0) continue;
            m.slices[slice] = measureOutline(mask, spacing);
            stackForVolume.emplace_back(slice, &mask);
        }
        m.volumeMm3 = volumeMm3(stackForVolume, spacing);
        a.measures.push_back(std::move(m));
    }
    std::vector<common::Mask> stacks;
    for (const auto* layer : layers) stacks.push_back(stack(*layer, slices, width, height));
    a.pairs = pairwiseAgreement(stacks);
    if (!stacks.empty()) {
        const auto consensus = staple(stacks);
        const auto majority = engine::majorityMask(stacks);
        size_t index = 0;
        for (const int slice : slices) {
            common::Mask m(height, width), s(height, width);
            const auto offset = static_cast<long>(index++ * static_cast<size_t>(width) * height);
            std::copy_n(majority.pixels.begin() + offset, m.size(), m.pixels.begin());
            std::copy_n(consensus.consensus.pixels.begin() + offset, s.size(), s.pixels.begin());
            a.majority[slice] = std::move(m);
            a.staple[slice] = std::move(s);
        }
    }
    if (result) {
        const int slice = result->crop.slice;
        std::vector<common::Mask> samples;
        std::vector<double> longest, perpendicular, area;
        for (const auto& mask : result->result.masks) {
            samples.push_back(maskOnSlice(result->crop, mask, width, height));
            const auto m = measureOutline(samples.back(), spacing);
            longest.push_back(m.longest.mm);
            perpendicular.push_back(m.perpendicular.mm);
            area.push_back(m.areaMm2);
        }
        a.sampleLongest = rangeOf(longest);
        a.samplePerpendicular = rangeOf(perpendicular);
        a.sampleArea = rangeOf(area);
        for (const float v : result->result.maps.variance.pixels) a.uncertaintyMass += v;
        std::vector<common::Mask> experts;
        for (const auto* layer : layers) {
            const auto it = layer->slices.find(slice);
            experts.push_back(it != layer->slices.end() && it->second.width == width
                                  ? it->second
                                  : common::Mask(height, width));
        }
        if (!experts.empty() && !samples.empty()) {
            a.gedExpertsVsSamples = engine::generalizedEnergyDistance(samples, experts);
            a.gedSlices = 1;
        }
        if (!experts.empty() && result->slices.size() > 1) {
            const auto volume = volumeGed(layers, *result, width, height);
            a.gedExpertsVsSamples = volume.first;
            a.gedSlices = volume.second;
        }
    }
    return a;
}

std::string LesionAgreement::toJson() const {
    nlohmann::json j;
    j["experts"] = experts;
    j["pairs"] = nlohmann::json::array();
    for (const auto& p : pairs)
        j["pairs"].push_back({{"a", experts.at(p.first)},
                              {"b", experts.at(p.second)},
                              {"dice", p.dice},
                              {"iou", p.iou}});
    j["ged_experts_vs_samples"] =
        gedExpertsVsSamples ? nlohmann::json(*gedExpertsVsSamples) : nlohmann::json();
    j["ged_slices"] = gedSlices;
    j["uncertainty_mass_px"] = uncertaintyMass;
    j["measures"] = nlohmann::json::array();
    for (const auto& m : measures) {
        nlohmann::json e{{"expert", m.expert}};
        for (const auto& [slice, o] : m.slices)
            e["slices"].push_back({{"slice", slice},
                                   {"area_mm2", o.areaMm2},
                                   {"longest_mm", o.longest.mm},
                                   {"perpendicular_mm", o.perpendicular.mm}});
        e["volume_mm3"] = m.volumeMm3 ? nlohmann::json(*m.volumeMm3) : nlohmann::json();
        j["measures"].push_back(e);
    }
    const auto range = [](const std::optional<Range>& r) {
        return r ? nlohmann::json{{"min", r->min}, {"max", r->max}} : nlohmann::json();
    };
    j["samples"] = {{"longest_mm", range(sampleLongest)},
                    {"perpendicular_mm", range(samplePerpendicular)},
                    {"area_mm2", range(sampleArea)}};
    return j.dump();
}

}  // namespace flowseg::review
