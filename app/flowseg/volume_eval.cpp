#include "volume_eval.h"

#include <algorithm>
#include <array>
#include <map>

#include "cli_support.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/volume_metrics.h"
#include "flowseg/engine/volume_sampler.h"

namespace flowseg::cli {

namespace {

std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
    return h;
}

struct Mean {
    std::map<std::string, std::pair<double, int>> sums;
    void add(const std::string& key, double value) {
        auto& [sum, count] = sums[key];
        sum += value;
        ++count;
    }
    [[nodiscard]] nlohmann::json json() const {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, s] : sums) out[key] = s.second ? s.first / s.second : 0.0;
        return out;
    }
};

double mean(const std::vector<long>& values) {
    double sum = 0;
    for (const auto v : values) sum += static_cast<double>(v);
    return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

}  // namespace

void orderNodulesForSubsets(std::vector<engine::NoduleCase>& nodules) {
    std::stable_sort(nodules.begin(), nodules.end(),
                     [](const engine::NoduleCase& a, const engine::NoduleCase& b) {
                         return fnv1a(a.id) < fnv1a(b.id);
                     });
}

nlohmann::json evaluateNodules(const std::shared_ptr<engine::Model>& model,
                               const std::vector<engine::NoduleCase>& nodules,
                               const engine::SamplingOptions& options,
                               const std::function<void(int, int)>& progress) {
    const engine::VolumeSampler sampler(model);
    nlohmann::json perNodule = nlohmann::json::array();
    Mean means;
    // Per slice, by how many readers mark it: how often the samples mark it.
    std::map<int, std::array<double, 3>>
        marking;  // readers -> {slices, sample share sum, reader share sum}
    bool coherent = false;
    for (size_t i = 0; i < nodules.size(); ++i) {
        if (interruptRequested().load()) throw engine::Cancelled();
        const auto& nodule = nodules[i];
        std::vector<common::ImageF> crops;
        for (const auto& slice : nodule.slices) crops.push_back(slice.image);
        auto o = options;
        o.seed = options.seed + i;
        const int middle = nodule.middle();
        const auto result = sampler.sample(crops, middle, o);
        coherent = result.coherent;
        const auto samples = result.chains();
        std::vector<engine::VolumeMask> experts(nodule.slices.front().experts.size());
        for (const auto& slice : nodule.slices)
            for (size_t e = 0; e < experts.size(); ++e) experts[e].push_back(slice.experts[e]);
        const auto m = engine::evaluateNodule(samples, experts, middle);
        nlohmann::json j{{"id", nodule.id},
                         {"slices", nodule.slices.size()},
                         {"volume_ged", m.volume.ged},
                         {"volume_single_mask_ged", m.volume.singleMaskGed},
                         {"volume_empty_ged", m.emptyGed},
                         {"volume_hm_iou", m.volume.hmIou},
                         {"volume_dice", m.volume.dice},
                         {"volume_coverage", m.coverage},
                         {"sample_volume", mean(m.sampleVoxels)},
                         {"expert_volume", mean(m.expertVoxels)},
                         {"sample_volumes", m.sampleVoxels},
                         {"expert_volumes", m.expertVoxels},
                         {"ged", m.middle.ged},
                         {"single_mask_ged", m.middle.singleMaskGed},
                         {"seconds", result.seconds},
                         {"network_passes", result.networkPasses}};
        for (const auto& key : {"volume_ged", "volume_single_mask_ged", "volume_empty_ged",
                                "volume_hm_iou", "volume_dice", "volume_coverage", "sample_volume",
                                "expert_volume", "ged", "single_mask_ged", "slices"})
            means.add(key, j[key].get<double>());
        means.add("seconds_per_nodule", result.seconds);
        means.add("network_passes_per_nodule", static_cast<double>(result.networkPasses));
        perNodule.push_back(std::move(j));
        for (size_t s = 0; s < nodule.slices.size(); ++s) {
            int readers = 0;
            for (const auto& e : experts) readers += e[s].area() > 0;
            int marked = 0;
            for (const auto& sample : samples) marked += sample[s].area() > 0;
            auto& row = marking[readers];
            row[0] += 1;
            row[1] += static_cast<double>(marked) / static_cast<double>(samples.size());
            row[2] += static_cast<double>(readers) / static_cast<double>(experts.size());
        }
        if (progress) progress(static_cast<int>(i) + 1, static_cast<int>(nodules.size()));
    }
    nlohmann::json byMarking = nlohmann::json::object();
    for (const auto& [readers, row] : marking)
        byMarking[std::to_string(readers)] = {{"slices", static_cast<int>(row[0])},
                                              {"sample_marking_fraction", row[1] / row[0]},
                                              {"expert_marking_fraction", row[2] / row[0]}};
    return {{"nodules", perNodule},
            {"mean", means.json()},
            {"by_experts_marking", byMarking},
            {"coherent", coherent},
            {"sampling", options.describe()}};
}

}  // namespace flowseg::cli
