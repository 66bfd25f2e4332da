// flowseg sample: M masks, probability, variance and entropy maps for one crop.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "eval_support.h"
#include "flowseg/engine/model.h"
#include "flowseg/imaging/image_io.h"

namespace flowseg::cli {

namespace {

struct SampleFlags {
    std::string model;
    std::string image;
    std::string out;
    std::string device = "auto";
    int trajectoryEvery = 0;
    int threads = 0;
    bool json = false;
    SamplingFlags sampling;
};

std::string numbered(const char* pattern, int index) {
    char name[64];
    std::snprintf(name, sizeof name, pattern, index);
    return name;
}

void runSample(const SampleFlags& f) {
    applyThreads(f.threads);
    installInterruptHandler();
    const auto image = imaging::readGrayImage(f.image);
    const std::string modelPath = modelOrDefault(f.model);
    const auto model = engine::Model::load(modelPath, f.device);
    const engine::Sampler sampler(model);
    auto options = f.sampling.toOptions(model->options());
    options.trajectoryEvery = f.trajectoryEvery;
    const std::filesystem::path out(f.out);
    std::filesystem::create_directories(out);

    engine::SamplingCallbacks callbacks;
    callbacks.cancelled = [] { return interruptRequested().load(); };
    int frames = 0;
    if (f.trajectoryEvery > 0)
        callbacks.trajectory = [&](const engine::TrajectoryFrame& frame) {
            imaging::writeStrip(
                (out / "trajectory" / numbered("step_%04d.png", frame.step)).string(),
                frame.states);
            ++frames;
        };
    int fit = 1;  // masks come back at the crop's size
    const auto result = sampleCrop(sampler, image, options, callbacks, &fit);

    for (size_t i = 0; i < result.masks.size(); ++i)
        imaging::writeMask((out / numbered("sample_%02d.png", static_cast<int>(i))).string(),
                           result.masks[i]);
    imaging::writeGray16((out / "probability.png").string(), result.maps.probability);
    common::ImageF varianceScaled = result.maps.variance;  // p(1-p) <= 1/4: stretch to full scale
    for (auto& v : varianceScaled.pixels) v *= 4.0F;
    imaging::writeGray16((out / "variance.png").string(), varianceScaled);
    imaging::writeGray16((out / "entropy.png").string(), result.maps.entropy);
    imaging::writeHeatmap((out / "heatmap.png").string(), result.maps.variance, 0.25F);
    imaging::writeHeatmapOverlay((out / "overlay.png").string(), image, result.maps.variance, 0.25F,
                                 0.6F);

    nlohmann::json summary{{"model", modelPath},
                           {"model_sha256", model->checksum()},
                           {"image", f.image},
                           {"fit_factor", fit},
                           {"out", f.out},
                           {"solver", engine::solverName(options.solver)},
                           {"steps", options.steps},
                           {"guidance", options.guidance},
                           {"samples", options.samples},
                           {"seed", options.seed},
                           {"device", result.device},
                           {"evaluations", result.evaluations},
                           {"network_passes", result.networkPasses},
                           {"seconds", result.seconds},
                           {"trajectory_frames", frames}};
    std::vector<long> areas;
    for (const auto& m : result.masks) areas.push_back(m.area());
    summary["sample_areas"] = areas;
    {
        std::ofstream file(out / "summary.json");
        file << summary.dump(2) << "\n";
    }
    if (f.json)
        printJson(summary);
    else
        std::cout << "wrote " << result.masks.size() << " samples and uncertainty maps to " << f.out
                  << " (" << result.seconds << " s, " << result.networkPasses
                  << " network passes)\n";
}

}  // namespace

void addSampleCommand(CLI::App& app) {
    auto f = std::make_shared<SampleFlags>();
    auto* cmd = app.add_subcommand("sample", "Draw M plausible masks for one image crop");
    cmd->add_option("--model", f->model,
                    "checkpoint file (default: the shipped model, models/default.fsm)");
    cmd->add_option("--image", f->image, "grey crop (PNG/JPEG/TIFF) of the model's size")
        ->required();
    cmd->add_option("--out", f->out, "output folder")->required();
    cmd->add_option("--device", f->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--trajectory", f->trajectoryEvery, "write every K-th ODE state (0 = none)")
        ->check(CLI::Range(0, 100000));
    f->sampling.addTo(*cmd);
    addThreadsFlag(*cmd, f->threads);
    cmd->add_flag("--json", f->json, "print a JSON summary");
    cmd->callback([f] { runSample(*f); });
}

}  // namespace flowseg::cli
