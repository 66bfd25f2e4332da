#include "eval_support.h"

#include "cli_support.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/resample.h"
#include "flowseg/engine/uncertainty.h"
#include "flowseg/engine/synthetic.h"

namespace flowseg::cli {

engine::SamplingResult sampleCrop(const engine::Sampler& sampler, const engine::ImageF& image,
                                  const engine::SamplingOptions& options, const engine::SamplingCallbacks& callbacks,
                                  int* fit) {
    const int k = engine::fitFactor(image.width, image.height, static_cast<int>(sampler.model().options().image_size()));
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
    for (int i = 0; i < count; ++i) {
        auto c = engine::generateSyntheticCase({size, raters, seed}, i);
        out.push_back({std::move(c.data), c.lesion.toJson()});
    }
    return out;
}

nlohmann::json evaluateDataset(const std::shared_ptr<engine::Model>& model, const std::vector<EvalCase>& cases,
                               const engine::SamplingOptions& options,
                               const std::function<void(int, int)>& progress) {
    const engine::Sampler sampler(model);
    nlohmann::json perCase = nlohmann::json::array();
    std::map<std::string, std::pair<double, int>> sums;
    const auto accumulate = [&](const std::string& key, const nlohmann::json& value) {
        if (value.is_null()) return;
        auto& [sum, count] = sums[key];
        sum += value.get<double>();
        ++count;
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        auto caseOptions = options;
        caseOptions.seed = options.seed + i;
        engine::SamplingCallbacks callbacks;
        callbacks.cancelled = [] { return interruptRequested().load(); };
        const auto result = sampleCrop(sampler, cases[i].data.image, caseOptions, callbacks);  // at the experts' size
        auto row = metricsToJson(engine::evaluateCase(result.masks, cases[i].data.experts));
        row["id"] = cases[i].data.id;
        row["seconds"] = result.seconds;
        row["network_passes"] = result.networkPasses;
        if (cases[i].syntheticLesionJson) {
            const auto lesion = engine::SyntheticLesion::fromJson(*cases[i].syntheticLesionJson);
            row["oracle_ged"] = engine::oracleGed(lesion, cases[i].data.experts, options.samples,
                                                  0x0AC1E + i);
        }
        for (const auto& key : {"ged", "hm_iou", "dice", "d_max", "variance_correlation",
                                "single_mask_ged", "oracle_ged", "ged_cross", "ged_sample_diversity",
                                "ged_expert_diversity", "seconds", "network_passes"})
            if (row.contains(key)) accumulate(key == std::string("seconds") ? "seconds_per_case" : key, row[key]);
        perCase.push_back(row);
        if (progress) progress(static_cast<int>(i + 1), static_cast<int>(cases.size()));
    }
    nlohmann::json mean = nlohmann::json::object();
    for (const auto& [key, value] : sums) mean[key] = value.first / value.second;
    mean["variance_correlation_cases"] = sums.count("variance_correlation") ? sums["variance_correlation"].second : 0;
    return {{"cases", perCase},
            {"mean", mean},
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

}  // namespace flowseg::cli
