#include "eval_support.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "cli_support.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/resample.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/uncertainty.h"

namespace flowseg::cli {

engine::SamplingResult sampleCrop(const engine::Sampler& sampler, const common::ImageF& image,
                                  const engine::SamplingOptions& options,
                                  const engine::SamplingCallbacks& callbacks, int* fit) {
    const int k = engine::fitFactor(image.width, image.height,
                                    static_cast<int>(sampler.model().options().image_size()));
    if (fit) *fit = k;
    auto result = sampler.sample(engine::boxDownsample(image, k), options, callbacks);
    if (k > 1) {
        for (auto& mask : result.masks) mask = engine::replicate(mask, k);
        result.maps = engine::uncertaintyMaps(result.masks);
    }
    return result;
}

std::vector<EvalCase> syntheticEvalCases(int count, int size, int raters, std::uint64_t seed) {
    std::vector<EvalCase> out;
    for (auto& c : engine::generateSyntheticCases({size, raters, seed}, count))
        out.push_back({std::move(c.data), c.lesion.toJson()});
    return out;
}

namespace {

/// Mean foreground pixels and the fraction of empty masks: whether a model's
/// masks are the experts' size and whether it marks lesions they leave out.
std::pair<double, double> areaAndEmptyFraction(const std::vector<common::Mask>& masks) {
    if (masks.empty()) return {0, 0};
    double area = 0;
    double empty = 0;
    for (const auto& m : masks) {
        const auto a = m.area();
        area += static_cast<double>(a);
        empty += a == 0 ? 1 : 0;
    }
    const auto n = static_cast<double>(masks.size());
    return {area / n, empty / n};
}

}  // namespace

nlohmann::json evaluateDataset(const std::shared_ptr<engine::Model>& model,
                               const std::vector<EvalCase>& cases,
                               const engine::SamplingOptions& options,
                               const std::function<void(int, int)>& progress) {
    const engine::Sampler sampler(model);
    nlohmann::json perCase = nlohmann::json::array();
    using Sums = std::map<std::string, std::pair<double, int>>;
    Sums sums;
    struct Group {
        Sums sums;
        int cases = 0;
    };
    std::map<std::string, Group> byKind;     // synthetic cases by lesion kind (faint / solid)
    std::map<std::string, Group> byMarking;  // by how many experts mark the case
    const auto accumulate = [](Sums& into, const std::string& key, const nlohmann::json& value) {
        if (value.is_null()) return;
        auto& [sum, count] = into[key];
        sum += value.get<double>();
        ++count;
    };
    const auto means = [](const Sums& from) {
        nlohmann::json mean = nlohmann::json::object();
        for (const auto& [key, value] : from) mean[key] = value.first / value.second;
        return mean;
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        auto caseOptions = options;
        caseOptions.seed = options.seed + i;
        engine::SamplingCallbacks callbacks;
        callbacks.cancelled = [] { return interruptRequested().load(); };
        const auto result = sampleCrop(sampler, cases[i].data.image, caseOptions,
                                       callbacks);  // at the experts' size
        auto row = metricsToJson(engine::evaluateCase(result.masks, cases[i].data.experts));
        row["id"] = cases[i].data.id;
        const auto [sampleArea, sampleEmpty] = areaAndEmptyFraction(result.masks);
        const auto [expertArea, expertEmpty] = areaAndEmptyFraction(cases[i].data.experts);
        row["sample_area"] = sampleArea;
        row["expert_area"] = expertArea;
        row["sample_empty_fraction"] = sampleEmpty;
        row["expert_empty_fraction"] = expertEmpty;
        row["seconds"] = result.seconds;
        row["network_passes"] = result.networkPasses;
        std::vector<Group*> groups;  // this case's groups
        const auto marking =
            std::count_if(cases[i].data.experts.begin(), cases[i].data.experts.end(),
                          [](const common::Mask& m) { return m.area() > 0; });
        row["experts_marking"] = marking;
        groups.push_back(&byMarking[std::to_string(marking)]);
        if (cases[i].syntheticLesionJson) {
            const auto lesion = engine::SyntheticLesion::fromJson(*cases[i].syntheticLesionJson);
            row["oracle_ged"] =
                engine::oracleGed(lesion, cases[i].data.experts, options.samples, 0x0AC1E + i);
            const std::string kind = lesion.faint() ? "faint" : "solid";
            row["lesion_kind"] = kind;
            groups.push_back(&byKind[kind]);
        }
        for (auto* group : groups) ++group->cases;
        for (const auto& key :
             {"ged", "hm_iou", "dice", "d_max", "variance_correlation", "single_mask_ged",
              "oracle_ged", "ged_cross", "ged_sample_diversity", "ged_expert_diversity",
              "sample_area", "expert_area", "sample_empty_fraction", "expert_empty_fraction",
              "seconds", "network_passes"}) {
            if (!row.contains(key)) continue;
            const std::string name = key == std::string("seconds") ? "seconds_per_case" : key;
            accumulate(sums, name, row[key]);
            for (auto* group : groups) accumulate(group->sums, name, row[key]);
        }
        perCase.push_back(row);
        if (progress) progress(static_cast<int>(i + 1), static_cast<int>(cases.size()));
    }
    nlohmann::json mean = means(sums);
    mean["variance_correlation_cases"] =
        sums.count("variance_correlation") ? sums["variance_correlation"].second : 0;
    // Where the GED comes from: faint lesions (missed by some raters) and solid ones
    // fail differently, so synthetic sets report both kinds apart.
    const auto groupMeans = [&](const std::map<std::string, Group>& groups) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [name, group] : groups) {
            out[name] = means(group.sums);
            out[name]["cases"] = group.cases;
        }
        return out;
    };
    return {{"cases", perCase},
            {"mean", mean},
            {"by_lesion_kind", groupMeans(byKind)},
            {"by_experts_marking", groupMeans(byMarking)},
            {"sampling",
             {{"solver", engine::solverName(options.solver)},
              {"steps", options.steps},
              {"tolerance", options.tolerance},
              {"guidance", options.guidance},
              {"samples", options.samples},
              {"seed", options.seed},
              {"precision", engine::precisionName(options.precision)},
              {"channels_last", options.channelsLast}}}};
}

nlohmann::json compareDevices(const engine::VelocityUNetOptions& options,
                              const engine::SamplingOptions& sampling) {
    if (!engine::cudaAvailable()) return {{"available", false}};
    const auto image =
        engine::generateSyntheticCase({static_cast<int>(options.image_size()), 1, 99}, 0)
            .data.image;
    const auto cpu =
        engine::Sampler(engine::Model::untrained(options, "cpu", 7)).sample(image, sampling);
    const auto cuda =
        engine::Sampler(engine::Model::untrained(options, "cuda", 7)).sample(image, sampling);
    double maxDifference = 0;
    long equal = 0, total = 0;
    for (size_t m = 0; m < cpu.soft.size(); ++m) {
        for (size_t i = 0; i < cpu.soft[m].pixels.size(); ++i)
            maxDifference = std::max(
                maxDifference,
                static_cast<double>(std::abs(cpu.soft[m].pixels[i] - cuda.soft[m].pixels[i])));
        for (size_t i = 0; i < cpu.masks[m].pixels.size(); ++i)
            equal += cpu.masks[m].pixels[i] == cuda.masks[m].pixels[i];
        total += static_cast<long>(cpu.masks[m].pixels.size());
    }
    return {{"available", true},
            {"setting", sampling.describe()},
            {"max_abs_difference", maxDifference},
            {"mask_pixel_agreement", static_cast<double>(equal) / static_cast<double>(total)}};
}

}  // namespace flowseg::cli
