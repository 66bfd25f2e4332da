// flowseg train: conditional flow matching on a folder dataset or on synthetic
// cases drawn in memory (the latter needs no image I/O, so it also runs on a GPU
// box that has LibTorch only).

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#ifdef FLOWSEG_HAVE_FINETUNE
#include "flowseg/review/fine_tune.h"
#endif
#ifdef FLOWSEG_HAVE_IMAGING
#include "dataset_flags.h"
#endif

namespace flowseg::cli {

namespace {

struct TrainFlags {
#ifdef FLOWSEG_HAVE_IMAGING
    DatasetFlags dataset;
#endif
    int synthetic = 0;
    int syntheticSize = 128;
    int syntheticRaters = 4;
    std::uint64_t syntheticSeed = 1;
    std::string out;
    std::string preset = "small";
    std::int64_t patch = 1;
    std::int64_t baseChannels = 0;
    std::int64_t iterations = 1000;
    std::int64_t batch = 16;
    double learningRate = 1e-4;
    std::int64_t lrDecayStart = -1;
    std::uint64_t seed = 0;
    std::string init;
    std::string resume;
    std::string device = "auto";
    std::int64_t checkpointEvery = 0;
    int logEvery = 10;
    int threads = 0;
    bool noAugment = false;
    double intensityJitter = 0;
    bool volumes = false;
    std::string priors = "either";
    double priorDropout = 0.25;
    bool json = false;
    std::string database;  ///< record the result as a model version of this store
};

void runTrain(const TrainFlags& f) {
    const int threads = applyThreads(f.threads);
    installInterruptHandler();
    std::vector<common::MultiRaterCase> cases;
    std::string description;
    if (f.synthetic > 0) {
        // The same cases as `flowseg synth --cases N --size S --raters R --seed K`,
        // without the 8-bit PNG round trip.
        std::fprintf(stderr, "drawing %d synthetic cases on %d threads\n", f.synthetic, threads);
        for (auto& c : engine::generateSyntheticCases(
                 {f.syntheticSize, f.syntheticRaters, f.syntheticSeed}, f.synthetic, threads))
            cases.push_back(std::move(c.data));
        description = "synthetic in memory: " + std::to_string(f.synthetic) + " cases, " +
                      std::to_string(f.syntheticSize) + " px, " +
                      std::to_string(f.syntheticRaters) + " raters, seed " +
                      std::to_string(f.syntheticSeed);
    } else {
#ifdef FLOWSEG_HAVE_IMAGING
        for (auto& c : f.dataset.load(threads)) cases.push_back(std::move(c.data));
        description = f.dataset.describe(cases.size());
#else
        throw engine::InvalidInput(
            "this flowseg was built without image I/O; train with --synthetic N");
#endif
    }

    engine::TrainingOptions o;
    o.preset = f.preset;
    if (f.init.empty() && f.resume.empty()) {
        // A preset fixes the channels; the crop size comes from the data.
        const auto& first = cases.front().image;
        if (first.height != first.width)
            throw engine::InvalidInput("case '" + cases.front().id + "' is not square (" +
                                       std::to_string(first.width) + "x" +
                                       std::to_string(first.height) + ")");
        o.network = engine::VelocityUNetOptions::preset(f.preset).image_size(first.height);
        // A patch network reads the crop folded patch x patch into channels (as a
        // widened one does) and adds the per-pixel skip that makes that work.
        if (f.patch > 1) o.network->patch_size(f.patch).pixel_skip(true);
        if (f.baseChannels > 0) o.network->base_channels(f.baseChannels);
        if (f.volumes) o.network->input("volume").image_channels(engine::kVolumeChannels);
        o.network->validate();
    } else if (f.patch > 1 || f.baseChannels > 0) {
        throw engine::InvalidInput(
            "--patch and --base-channels shape a new network; with --init or --resume "
            "the network comes from the checkpoint");
    }
    o.iterations = f.iterations;
    o.batchSize = f.batch;
    o.learningRate = f.learningRate;
    o.lrDecayStart = f.lrDecayStart;
    o.seed = f.seed;
    o.initFrom = f.init;
    o.resumeFrom = f.resume;
    o.device = f.device;
    o.checkpointPath = f.out;
    o.checkpointEvery = f.checkpointEvery;
    o.logEvery = f.logEvery;
    o.augment = !f.noAugment;
    o.intensityJitter = f.intensityJitter;
    o.datasetDescription = description;
    o.command = commandLine();
    o.volume = f.volumes;
    o.priorSide = *engine::priorSideFromName(f.priors);
    o.priorDropout = f.priorDropout;
    std::unique_ptr<engine::Trainer> made;
    if (f.volumes) {
        auto nodules = engine::groupIntoNodules(std::move(cases));
        std::fprintf(stderr, "volume model: %zu nodules\n", nodules.size());
        made = std::make_unique<engine::Trainer>(std::move(nodules), o);
    } else {
        made = std::make_unique<engine::Trainer>(std::move(cases), o);
    }
    engine::Trainer& trainer = *made;
    const auto& network = trainer.networkOptions();
    const auto side = std::to_string(network.image_size());
    const std::string shape =
        side + "x" + side +
        (network.patch_size() > 1 ? ", patch " + std::to_string(network.patch_size()) : "");
    std::fprintf(
        stderr, "training %s network (%s) on %s (%d threads, BLAS %s), %lld steps from step %lld\n",
        f.preset.c_str(), shape.c_str(), engine::resolveDevice(f.device).c_str(), threads,
        engine::blasLibrary().c_str(), static_cast<long long>(f.iterations),
        static_cast<long long>(trainer.step()));
    const auto outcome = runTraining(trainer, f.out, f.json);
    if (!outcome.completed) std::exit(130);
#ifdef FLOWSEG_HAVE_FINETUNE
    if (!f.database.empty()) {
        const nlohmann::json parameters{{"command", commandLine()},        {"dataset", description},
                                        {"iterations", f.iterations},      {"batch_size", f.batch},
                                        {"learning_rate", f.learningRate}, {"seed", f.seed}};
        const nlohmann::json metrics{{"final_loss", outcome.finalLoss},
                                     {"seconds", outcome.seconds}};
        const auto id = review::recordTrainedVersion(f.database, f.out, f.init, parameters.dump(),
                                                     metrics.dump());
        std::fprintf(
            stderr,
            "recorded as model version %lld of %s (flowseg models --db %s --activate %lld makes it "
            "the one the window samples with)\n",
            static_cast<long long>(id), f.database.c_str(), f.database.c_str(),
            static_cast<long long>(id));
    }
#endif
}

}  // namespace

void addTrainCommand(CLI::App& app) {
    auto f = std::make_shared<TrainFlags>();
    auto* cmd = app.add_subcommand("train", "Train (or fine-tune / resume) the velocity network");
    [[maybe_unused]] auto* synthetic =
        cmd->add_option("--synthetic", f->synthetic,
                        "train on N synthetic cases drawn in memory instead")
            ->check(CLI::Range(1, 10000000));
#ifdef FLOWSEG_HAVE_IMAGING
    f->dataset.addTo(*cmd, false)->excludes(synthetic);
#endif
    cmd->add_option("--synthetic-size", f->syntheticSize, "their side in pixels")
        ->capture_default_str();
    cmd->add_option("--synthetic-raters", f->syntheticRaters, "raters per case")
        ->capture_default_str();
    cmd->add_option("--synthetic-seed", f->syntheticSeed, "their seed (as `flowseg synth --seed`)")
        ->capture_default_str();
    cmd->add_option("--out", f->out, "checkpoint to write")->required();
    cmd->add_option("--preset", f->preset, "network preset: small, paper, tiny")
        ->capture_default_str();
    cmd->add_option("--patch", f->patch,
                    "new network: fold the crop patch x patch into channels (+ per-pixel skip), "
                    "the UNet runs at side/patch")
        ->check(CLI::Range(1, 8));
    cmd->add_option("--base-channels", f->baseChannels,
                    "new network: first-level channels (default: the preset's)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--iters", f->iterations, "total optimizer steps")
        ->check(CLI::Range(1, 100000000))
        ->capture_default_str();
    cmd->add_option("--batch", f->batch, "batch size")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    cmd->add_option("--lr", f->learningRate, "AdamW learning rate")->capture_default_str();
    cmd->add_option("--lr-decay-start", f->lrDecayStart,
                    "from this step on, lower the rate linearly to zero at --iters (cool-down; -1 "
                    "= constant)")
        ->check(CLI::Range(static_cast<std::int64_t>(-1), static_cast<std::int64_t>(100000000)))
        ->capture_default_str();
    cmd->add_option("--seed", f->seed, "random seed")->capture_default_str();
    cmd->add_option(
        "--init", f->init,
        "start from these weights (fine-tuning); on crops a whole multiple of its side, "
        "the network is widened by pixel unshuffle");
    cmd->add_option("--resume", f->resume, "continue an interrupted run from this checkpoint");
    cmd->add_option("--device", f->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--checkpoint-every", f->checkpointEvery,
                    "save every N steps (0 = at the end)");
    cmd->add_option("--log-every", f->logEvery, "steps between progress lines")
        ->check(CLI::Range(1, 1000000));
    cmd->add_flag("--no-augment", f->noAugment, "disable random flips/transposes");
    cmd->add_option(
           "--intensity-jitter", f->intensityJitter,
           "grey values become clamp(a*x + b) with a in [1-J, 1+J], b in [-J/2, J/2] (0 = off)")
        ->check(CLI::Range(0.0, 0.99))
        ->capture_default_str();
    cmd->add_flag("--volumes", f->volumes,
                  "train the volume model on whole nodules (cases named PATIENT_nodule-N_slice-K): "
                  "each slice "
                  "learnt with its neighbours and the same reader's mask on the next slice; --init "
                  "from a slice "
                  "model widens it");
    addPriorFlags(*cmd, f->priors, f->priorDropout);
    addThreadsFlag(*cmd, f->threads);
    cmd->add_flag("--json", f->json, "print a JSON summary");
#ifdef FLOWSEG_HAVE_FINETUNE
    cmd->add_option("--db", f->database,
                    "record the trained model as a version in this annotation store");
#endif
    cmd->callback([f] {
#ifdef FLOWSEG_HAVE_IMAGING
        if (f->dataset.data.empty() && f->synthetic == 0)
            throw CLI::RequiredError("--data or --synthetic");
#else
        if (f->synthetic == 0)
            throw CLI::RequiredError("--synthetic (this flowseg was built without image I/O)");
#endif
        runTrain(*f);
    });
}

}  // namespace flowseg::cli
