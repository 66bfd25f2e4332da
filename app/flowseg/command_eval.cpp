// flowseg eval: set-to-set metrics of a model on a folder dataset.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/synthetic.h"
#include "dataset_flags.h"
#include "eval_support.h"

namespace flowseg::cli {

namespace {

struct EvalFlags {
    std::string model;
    DatasetFlags dataset;
    std::string device = "auto";
    int threads = 0;
    bool json = false;
    SamplingFlags sampling;
};

void runEval(const EvalFlags& f) {
    const int threads = applyThreads(f.threads);
    installInterruptHandler();
    std::vector<EvalCase> cases;
    for (auto& c : f.dataset.load(threads)) cases.push_back({std::move(c.data), std::move(c.syntheticLesionJson)});
    const std::string modelPath = modelOrDefault(f.model);
    const auto model = engine::Model::load(modelPath, f.device);
    const auto options = f.sampling.toOptions();
    const auto report = evaluateDataset(model, cases, options, [&](int done, int total) {
        if (!f.json) std::fprintf(stderr, "  %d/%d cases\n", done, total);
    });
    nlohmann::json out = report;
    out["model"] = modelPath;
    out["model_sha256"] = model->checksum();
    out["data"] = f.dataset.describe(cases.size());
    if (f.json) {
        printJson(out);
        return;
    }
    const auto& mean = out["mean"];
    std::cout << "cases " << cases.size() << "  (" << options.describe() << ")\n";
    for (const auto& key : {"ged", "single_mask_ged", "oracle_ged", "hm_iou", "dice", "d_max",
                            "variance_correlation", "ged_cross", "ged_sample_diversity",
                            "ged_expert_diversity", "sample_area", "expert_area", "sample_empty_fraction",
                            "expert_empty_fraction", "seconds_per_case"})
        if (mean.contains(key) && !mean[key].is_null())
            std::printf("  %-22s %.4f\n", key, mean[key].get<double>());
    const auto value = [](const nlohmann::json& j, const char* key) {
        return j.contains(key) && !j[key].is_null() ? j[key].get<double>() : std::nan("");
    };
    std::cout << "by experts marking the case (area and empty fraction: samples vs experts):\n";
    for (const auto& [marking, m] : out["by_experts_marking"].items())
        std::printf("  %2s marking  %4d cases  ged %.4f  single_mask %.4f  area %.1f vs %.1f px  empty %.2f vs %.2f\n",
                    marking.c_str(), m["cases"].get<int>(), value(m, "ged"),
                    value(m, "single_mask_ged"), value(m, "sample_area"), value(m, "expert_area"),
                    value(m, "sample_empty_fraction"), value(m, "expert_empty_fraction"));
    const auto& byKind = out["by_lesion_kind"];
    if (byKind.empty()) return;
    std::cout << "by lesion kind (synthetic; faint = contrast below "
              << engine::SyntheticLesion::kFaintContrastLimit
              << ", the kind raters miss; area and empty fraction: samples vs experts):\n";
    for (const auto& [kind, m] : byKind.items())
        std::printf("  %-6s %3d cases  ged %.4f  single_mask %.4f  oracle %.4f  sample_div %.3f  expert_div %.3f"
                    "  area %.1f vs %.1f px  empty %.2f vs %.2f\n",
                    kind.c_str(), m["cases"].get<int>(), value(m, "ged"), value(m, "single_mask_ged"),
                    value(m, "oracle_ged"), value(m, "ged_sample_diversity"), value(m, "ged_expert_diversity"),
                    value(m, "sample_area"), value(m, "expert_area"), value(m, "sample_empty_fraction"),
                    value(m, "expert_empty_fraction"));
}

}  // namespace

void addEvalCommand(CLI::App& app) {
    auto f = std::make_shared<EvalFlags>();
    auto* cmd = app.add_subcommand("eval", "Evaluate a model on a folder dataset (GED, HM-IoU, Dice, ...)");
    cmd->add_option("--model", f->model, "checkpoint file (default: the shipped model, models/default.fsm)");
    f->dataset.addTo(*cmd, true);
    cmd->add_option("--device", f->device, "cpu, cuda or auto")->capture_default_str();
    f->sampling.addTo(*cmd);
    addThreadsFlag(*cmd, f->threads);
    cmd->add_flag("--json", f->json, "print per-case and mean metrics as JSON");
    cmd->callback([f] { runEval(*f); });
}

}  // namespace flowseg::cli
