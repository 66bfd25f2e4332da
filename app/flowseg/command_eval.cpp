// flowseg eval: set-to-set metrics of a model on a folder dataset.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "dataset_flags.h"
#include "eval_support.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/synthetic.h"
#include "volume_eval.h"

namespace flowseg::cli {

namespace {

struct EvalFlags {
    std::string model;
    DatasetFlags dataset;
    std::string device = "auto";
    int threads = 0;
    bool json = false;
    bool volumes = false;
    int maxNodules = 0;
    SamplingFlags sampling;
};

void runVolumeEval(const EvalFlags& f, int threads) {
    if (f.dataset.oneSlicePerNodule)
        throw engine::InvalidInput(
            "--volumes samples every slice of each nodule; drop --one-slice-per-nodule");
    std::vector<common::MultiRaterCase> cases;
    for (auto& c : f.dataset.load(threads)) cases.push_back(std::move(c.data));
    const auto slices = cases.size();
    auto nodules = engine::groupIntoNodules(std::move(cases));
    orderNodulesForSubsets(nodules);
    if (f.maxNodules > 0 && static_cast<int>(nodules.size()) > f.maxNodules)
        nodules.resize(static_cast<size_t>(f.maxNodules));
    const std::string modelPath = modelOrDefault(f.model);
    const auto model = engine::Model::load(modelPath, f.device);
    const auto options = f.sampling.toOptions(model->options());
    auto out = evaluateNodules(model, nodules, options, [&](int done, int total) {
        if (!f.json) std::fprintf(stderr, "  %d/%d nodules\n", done, total);
    });
    out["model"] = modelPath;
    out["model_sha256"] = model->checksum();
    out["data"] = f.dataset.describe(slices) + ", " + std::to_string(nodules.size()) + " nodules";
    if (f.json) {
        printJson(out);
        return;
    }
    const auto& mean = out["mean"];
    std::cout << "nodules " << nodules.size() << "  (" << options.describe() << "; "
              << (out["coherent"].get<bool>() ? "coherent volume samples"
                                              : "slice model: slices sampled apart")
              << ")\n";
    for (const auto& [key, value] : mean.items())
        std::printf("  %-26s %.4f\n", key.c_str(), value.get<double>());
    std::cout << "slices by readers marking them (share of samples marking vs readers):\n";
    for (const auto& [readers, m] : out["by_experts_marking"].items())
        std::printf("  %2s marking  %5d slices  samples %.3f  readers %.3f\n", readers.c_str(),
                    m["slices"].get<int>(), m["sample_marking_fraction"].get<double>(),
                    m["expert_marking_fraction"].get<double>());
}

void runEval(const EvalFlags& f) {
    const int threads = applyThreads(f.threads);
    installInterruptHandler();
    if (f.volumes) {
        runVolumeEval(f, threads);
        return;
    }
    std::vector<EvalCase> cases;
    std::vector<std::vector<common::Mask>> originals;
    for (auto& c : f.dataset.load(threads, &originals))
        cases.push_back({std::move(c.data), std::move(c.syntheticLesionJson)});
    const std::string modelPath = modelOrDefault(f.model);
    const auto model = engine::Model::load(modelPath, f.device);
    const auto options = f.sampling.toOptions(model->options());
    const auto report = evaluateDataset(model, cases, options, [&](int done, int total) {
        if (!f.json) std::fprintf(stderr, "  %d/%d cases\n", done, total);
    });
    nlohmann::json out = report;
    out["model"] = modelPath;
    out["model_sha256"] = model->checksum();
    out["data"] = f.dataset.describe(cases.size());
    if (!originals.empty()) {
        // How far the grown readers are from the original ones: the GED a perfect
        // model of one group scores against the other (a site experiment's margin).
        double sum = 0;
        for (size_t i = 0; i < cases.size(); ++i) {
            const double ged =
                engine::generalizedEnergyDistance(cases[i].data.experts, originals[i]);
            out["cases"][i]["grown_readers_ged"] = ged;
            sum += ged;
        }
        out["mean"]["grown_readers_ged"] = sum / static_cast<double>(cases.size());
    }
    if (f.json) {
        printJson(out);
        return;
    }
    const auto& mean = out["mean"];
    std::cout << "cases " << cases.size() << "  (" << options.describe() << ")\n";
    for (const auto& key :
         {"ged", "single_mask_ged", "oracle_ged", "hm_iou", "dice", "d_max", "variance_correlation",
          "ged_cross", "ged_sample_diversity", "ged_expert_diversity", "sample_area", "expert_area",
          "sample_empty_fraction", "expert_empty_fraction", "grown_readers_ged",
          "seconds_per_case"})
        if (mean.contains(key) && !mean[key].is_null())
            std::printf("  %-22s %.4f\n", key, mean[key].get<double>());
    const auto value = [](const nlohmann::json& j, const char* key) {
        return j.contains(key) && !j[key].is_null() ? j[key].get<double>() : std::nan("");
    };
    std::cout << "by experts marking the case (area and empty fraction: samples vs experts):\n";
    for (const auto& [marking, m] : out["by_experts_marking"].items())
        std::printf(
            "  %2s marking  %4d cases  ged %.4f  single_mask %.4f  area %.1f vs %.1f px  empty "
            "%.2f vs %.2f\n",
            marking.c_str(), m["cases"].get<int>(), value(m, "ged"), value(m, "single_mask_ged"),
            value(m, "sample_area"), value(m, "expert_area"), value(m, "sample_empty_fraction"),
            value(m, "expert_empty_fraction"));
    const auto& byKind = out["by_lesion_kind"];
    if (byKind.empty()) return;
    std::cout << "by lesion kind (synthetic; faint = contrast below "
              << engine::SyntheticLesion::kFaintContrastLimit
              << ", the kind raters miss; area and empty fraction: samples vs experts):\n";
    for (const auto& [kind, m] : byKind.items())
        std::printf(
            "  %-6s %3d cases  ged %.4f  single_mask %.4f  oracle %.4f  sample_div %.3f  "
            "expert_div %.3f"
            "  area %.1f vs %.1f px  empty %.2f vs %.2f\n",
            kind.c_str(), m["cases"].get<int>(), value(m, "ged"), value(m, "single_mask_ged"),
            value(m, "oracle_ged"), value(m, "ged_sample_diversity"),
            value(m, "ged_expert_diversity"), value(m, "sample_area"), value(m, "expert_area"),
            value(m, "sample_empty_fraction"), value(m, "expert_empty_fraction"));
}

}  // namespace

void addEvalCommand(CLI::App& app) {
    auto f = std::make_shared<EvalFlags>();
    auto* cmd =
        app.add_subcommand("eval", "Evaluate a model on a folder dataset (GED, HM-IoU, Dice, ...)");
    cmd->add_option("--model", f->model,
                    "checkpoint file (default: the shipped model, models/default.fsm)");
    f->dataset.addTo(*cmd, true);
    cmd->add_option("--device", f->device, "cpu, cuda or auto")->capture_default_str();
    f->sampling.addTo(*cmd);
    addThreadsFlag(*cmd, f->threads);
    cmd->add_flag("--json", f->json, "print per-case and mean metrics as JSON");
    cmd->add_flag(
        "--volumes", f->volumes,
        "whole nodules: group cases PATIENT_nodule-N_slice-K by nodule, sample each coherently "
        "from its "
        "middle slice, report volume_ged, volume_single_mask_ged, volumes, coverage and the middle "
        "slice's ged");
    cmd->add_option("--max-nodules", f->maxNodules,
                    "with --volumes: only the first N nodules in a fixed random-looking order that "
                    "keeps a patient's nodules together")
        ->check(CLI::Range(1, 100000000));
    cmd->callback([f] { runEval(*f); });
}

}  // namespace flowseg::cli
