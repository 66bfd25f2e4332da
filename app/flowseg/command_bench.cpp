// flowseg bench: speed of sampling settings and training, read against this
// machine's own matmul rate (DESIGN.md "Benchmarks").

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_support.h"
#ifdef FLOWSEG_HAVE_DICOM
#include "bench_open_study.h"
#endif
#include "commands.h"
#include "eval_support.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/parity.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/engine/volume_sampler.h"
#ifdef FLOWSEG_HAVE_IMAGING
#include "dataset_flags.h"
#endif

namespace flowseg::cli {

namespace {

// The paper setting, the app's default (the names stand for SamplingOptions::paper()
// and fastDefault(), whatever they are), and the cheap settings around them.
constexpr const char* kDefaultSettings =
    "paper,default,euler:5,euler:10,midpoint:3,midpoint:5,heun:5,heun:10,rk4:2,rk4:3,dopri5:0.01";

struct BenchFlags {
    std::string model;
    std::string preset = "small";
    std::string device = "auto";
    std::string settings = kDefaultSettings;
#ifdef FLOWSEG_HAVE_IMAGING
    DatasetFlags evalData;
#endif
    int evalSynthetic = 0;
    int cases = 1;
    int samples = 15;
    double guidance = 0.3;
    std::string trainPresets = "auto";
    int trainBatch = 64;
    int trainSteps = 3;
    int threads = 0;
    bool compareDevices = false;
    std::string precision = "fp32";
    bool channelsLast = false;
    bool json = false;
    int noduleSlices = 0;   ///< also time one nodule of this many slices per setting (0 = no)
    std::string openStudy;  ///< instead: time opening this study folder
};

struct Setting {
    std::string name;
    engine::SamplingOptions options;
};

// "[name=]solver:steps[:wG]" (name defaults to solver-steps[-wG]); dopri5 takes a
// tolerance instead of steps; ":wG" overrides the guidance weight for that setting.
std::vector<Setting> parseSettings(const std::string& text,
                                   const engine::VelocityUNetOptions& network, int samples,
                                   double guidance, engine::Precision precision,
                                   bool channelsLast) {
    std::vector<Setting> out;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ',')) {
        if (item.empty()) continue;
        std::string name;
        if (const auto eq = item.find('='); eq != std::string::npos) {
            name = item.substr(0, eq);
            item = item.substr(eq + 1);
        }
        if (item == "default" ||
            item == "paper") {  // whatever the app's default and the paper's setting are
            Setting s{name.empty() ? item : name,
                      item == "paper" ? engine::SamplingOptions::paper()
                                      : engine::SamplingOptions::fastDefault(network)};
            s.options.samples = samples;
            s.options.guidance = guidance;
            s.options.precision = precision;
            s.options.channelsLast = channelsLast;
            out.push_back(s);
            continue;
        }
        std::vector<std::string> parts;
        std::stringstream fields(item);
        for (std::string part; std::getline(fields, part, ':');) parts.push_back(part);
        const bool guidanceGiven = parts.size() == 3 && parts[2].size() > 1 && parts[2][0] == 'w';
        if (parts.size() < 2 || parts.size() > 3 || (parts.size() == 3 && !guidanceGiven))
            throw engine::InvalidInput("bench setting '" + item +
                                       "' must look like solver:steps or solver:steps:wG");
        Setting s;
        s.options.solver = engine::parseSolver(parts[0]);
        try {
            const auto value = std::stod(parts[1]);
            if (s.options.solver == engine::Solver::DormandPrince)
                s.options.tolerance = value;
            else
                s.options.steps = static_cast<int>(value);
            s.options.guidance = guidanceGiven ? std::stod(parts[2].substr(1)) : guidance;
        } catch (const std::logic_error&) {
            throw engine::InvalidInput("bench setting '" + item +
                                       "' has a number that does not read");
        }
        s.options.samples = samples;
        s.options.precision = precision;
        s.options.channelsLast = channelsLast;
        s.name =
            name.empty() ? parts[0] + "-" + parts[1] + (guidanceGiven ? "-" + parts[2] : "") : name;
        out.push_back(s);
    }
    if (out.empty()) throw engine::InvalidInput("no bench settings given");
    return out;
}

// The first setting that samples like `want`: solver, steps (or tolerance) and guidance.
nlohmann::json nameOf(const std::vector<Setting>& settings, const engine::SamplingOptions& want) {
    for (const auto& s : settings) {
        if (s.options.solver != want.solver || s.options.guidance != want.guidance) continue;
        if (want.solver == engine::Solver::DormandPrince ? s.options.tolerance == want.tolerance
                                                         : s.options.steps == want.steps)
            return s.name;
    }
    return nullptr;
}

std::vector<std::string> splitNames(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

void runBench(const BenchFlags& f) {
#ifdef FLOWSEG_HAVE_DICOM
    if (!f.openStudy.empty()) {
        const auto result = benchOpenStudy(f.openStudy, f.threads, f.json);
        if (f.json) printJson(result);
        return;
    }
#endif
    const int threads = engine::configureThreads(f.threads);
    const std::string device = engine::resolveDevice(f.device);
    const auto model = f.model.empty() ? engine::Model::untrained(
                                             engine::VelocityUNetOptions::preset(f.preset), device)
                                       : engine::Model::load(f.model, device);
    const auto settings = parseSettings(f.settings, model->options(), f.samples, f.guidance,
                                        engine::parsePrecision(f.precision), f.channelsLast);
    const auto paperName = nameOf(settings, engine::SamplingOptions::paper());
    const auto defaultName =
        nameOf(settings, engine::SamplingOptions::fastDefault(model->options()));
    const double matmul = engine::measureMatmulGflops(device);
    const int side = static_cast<int>(model->options().image_size());

    std::vector<common::ImageF> images;
    for (int i = 0; i < f.cases; ++i)
        images.push_back(engine::generateSyntheticCase({side, 1, 99}, i).data.image);
    std::vector<EvalCase> evalSet;
#ifdef FLOWSEG_HAVE_IMAGING
    if (!f.evalData.data.empty())
        for (auto& c : f.evalData.load(threads))
            evalSet.push_back({std::move(c.data), std::move(c.syntheticLesionJson)});
#endif
    if (evalSet.empty() && f.evalSynthetic > 0)
        evalSet = syntheticEvalCases(f.evalSynthetic, side, 8, 2);

    const engine::Sampler sampler(model);
    const engine::VolumeSampler noduleSampler(model);
    std::vector<common::ImageF> nodule;
    for (int i = 0; i < f.noduleSlices; ++i)
        nodule.push_back(engine::generateSyntheticCase({side, 1, 99}, i).data.image);
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& s : settings) {
        if (!f.json) std::fprintf(stderr, "  timing %s\n", s.name.c_str());
        (void)sampler.sample(images.front(), [&] {
            auto w = s.options;
            w.steps = 1;
            return w;
        }());
        double seconds = 0;
        std::int64_t passes = 0;
        for (const auto& image : images) {
            const auto r = sampler.sample(image, s.options);
            seconds += r.seconds;
            passes += r.networkPasses;
        }
        seconds /= static_cast<double>(images.size());
        const double passesPerCase =
            static_cast<double>(passes) / static_cast<double>(images.size());
        const double gflops = model->flopsPerImage() * passesPerCase / seconds / 1e9;
        nlohmann::json row{{"name", s.name},
                           {"solver", engine::solverName(s.options.solver)},
                           {"steps", s.options.solver == engine::Solver::DormandPrince
                                         ? nlohmann::json()
                                         : nlohmann::json(s.options.steps)},
                           {"guidance", s.options.guidance},
                           {"passes_per_case", passesPerCase},
                           {"seconds_per_case", seconds},
                           {"gflops", gflops},
                           {"fraction_of_matmul", gflops / matmul},
                           {"ged", nullptr}};
        if (!nodule.empty()) {
            // One nodule, sampled as the window and `eval --volumes` do: from its middle slice
            // outward.
            const auto r =
                noduleSampler.sample(nodule, static_cast<int>(nodule.size()) / 2, s.options);
            row["seconds_per_nodule"] = r.seconds;
            row["passes_per_nodule"] = r.networkPasses;
            row["coherent"] = r.coherent;
        }
        if (!evalSet.empty()) {
            const auto mean = evaluateDataset(model, evalSet, s.options)["mean"];
            row["ged"] = mean["ged"];
            row["oracle_ged"] = mean.value("oracle_ged", nlohmann::json());
        }
        rows.push_back(row);
    }

    nlohmann::json train = nlohmann::json::array();
    // "auto": both presets on CUDA; on a CPU only `small` (one `paper` step at batch
    // 64 is minutes there — ask for it by name).
    const std::string trainPresets =
        f.trainPresets == "auto" ? (device == "cuda" ? "small,paper" : "small") : f.trainPresets;
    for (const auto& preset : splitNames(trainPresets)) {
        if (!f.json)
            std::fprintf(stderr, "  timing training of %s at batch %d\n", preset.c_str(),
                         f.trainBatch);
        const auto network = engine::VelocityUNetOptions::preset(preset);
        std::vector<common::MultiRaterCase> cases;
        for (int i = 0; i < 8; ++i)
            cases.push_back(
                engine::generateSyntheticCase({static_cast<int>(network.image_size()), 4, 7}, i)
                    .data);
        engine::TrainingOptions o;
        o.preset = preset;
        o.batchSize = f.trainBatch;
        o.device = device;
        o.iterations = 1 + f.trainSteps;
        o.logEvery = 1;
        engine::Trainer trainer(cases, o);
        std::vector<double> rates;
        engine::TrainingCallbacks callbacks;
        callbacks.progress = [&](const engine::TrainingProgress& p) {
            if (p.step > 1) rates.push_back(p.iterationsPerSecond);  // step 1 warms up
        };
        trainer.run(callbacks);
        double mean = 0;
        for (double r : rates) mean += r / static_cast<double>(rates.size());
        train.push_back(
            {{"preset", preset},
             {"batch", f.trainBatch},
             {"iterations_per_second", mean},
             {"parameters", engine::Model::untrained(network, "cpu")->parameterCount()}});
    }

    nlohmann::json agreement;
    if (f.compareDevices) agreement = compareDevices(model->options(), settings.back().options);
    nlohmann::json parity{{"tolerance", engine::kGedParity}, {"cheapest", nullptr}};
    if (paperName.is_string()) {
        if (const auto cheapest =
                engine::cheapestAtParity(rows, paperName.get<std::string>(), engine::kGedParity)) {
            parity["cheapest"] = *cheapest;
            for (const auto& r : rows) {
                if (r["name"] == paperName) parity["paper_passes"] = r["passes_per_case"];
                if (r["name"] == *cheapest) parity["cheapest_passes"] = r["passes_per_case"];
            }
            parity["passes_saving"] =
                parity["paper_passes"].get<double>() / parity["cheapest_passes"].get<double>();
        }
    }
    nlohmann::json out{{"matmul_gflops", matmul},
                       {"device_agreement", agreement},
                       {"blas", engine::blasLibrary()},
                       {"threads", threads},
                       {"device", device},
                       {"torch_version", engine::torchVersion()},
                       {"model",
                        {{"source", model->source()},
                         {"parameters", model->parameterCount()},
                         {"gflop_per_pass", model->flopsPerImage() / 1e9},
                         {"image_size", side}}},
                       {"cases", f.cases},
                       {"nodule_slices", f.noduleSlices},
                       {"samples", f.samples},
                       {"precision", f.precision},
                       {"channels_last", f.channelsLast},
                       {"paper", paperName},
                       {"default", defaultName},
                       {"parity", parity},
                       {"settings", rows},
                       {"train", train}};
    if (f.json) {
        printJson(out);
        return;
    }
    std::printf("device %s, %d threads, BLAS %s, matmul %.1f GFLOP/s, model %.3f GFLOP/pass\n",
                device.c_str(), threads, engine::blasLibrary().c_str(), matmul,
                model->flopsPerImage() / 1e9);
    std::printf("%-14s %8s %10s %10s %8s %8s %12s\n", "setting", "passes", "s/case", "GFLOP/s",
                "of mm", "GED", "s/nodule");
    for (const auto& r : rows)
        std::printf(
            "%-14s %8.0f %10.3f %10.1f %7.1f%% %8s %12s\n", r["name"].get<std::string>().c_str(),
            r["passes_per_case"].get<double>(), r["seconds_per_case"].get<double>(),
            r["gflops"].get<double>(), 100 * r["fraction_of_matmul"].get<double>(),
            r["ged"].is_null() ? "-" : std::to_string(r["ged"].get<double>()).substr(0, 6).c_str(),
            r.contains("seconds_per_nodule")
                ? std::to_string(r["seconds_per_nodule"].get<double>()).substr(0, 6).c_str()
                : "-");
    if (parity["cheapest"].is_string())
        std::printf("cheapest within %.2f GED of %s: %s (%.1fx fewer network passes)\n",
                    engine::kGedParity, paperName.get<std::string>().c_str(),
                    parity["cheapest"].get<std::string>().c_str(),
                    parity["passes_saving"].get<double>());
    for (const auto& t : train)
        std::printf("train %-8s batch %d: %.3f it/s\n", t["preset"].get<std::string>().c_str(),
                    t["batch"].get<int>(), t["iterations_per_second"].get<double>());
}

}  // namespace

void addBenchCommand(CLI::App& app) {
    auto f = std::make_shared<BenchFlags>();
    auto* cmd = app.add_subcommand("bench", "Time sampling settings and training on this machine");
    cmd->add_option("--model", f->model, "checkpoint (default: an untrained --preset network)");
    cmd->add_option("--preset", f->preset, "network preset when no --model is given")
        ->capture_default_str();
    cmd->add_option("--device", f->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option(
           "--settings", f->settings,
           "comma list of [name=]solver:steps[:wG] (dopri5:tolerance; :wG sets that setting's "
           "guidance); "
           "'default' and 'paper' alone are the app's default sampling and the paper's setting")
        ->capture_default_str();
    cmd->add_option("--cases", f->cases, "cases timed per setting")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cmd->add_option("--m,--samples", f->samples, "M")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cmd->add_option("--guidance,-w", f->guidance, "w")->capture_default_str();
#ifdef FLOWSEG_HAVE_IMAGING
    f->evalData.addTo(*cmd, false,
                      "eval-");  // --eval-data, --eval-split, --eval-part, ...: the GED column
#endif
    cmd->add_option("--eval-synthetic", f->evalSynthetic,
                    "GED on N in-memory synthetic cases (8 raters, seed 2)");
    cmd->add_option("--train-presets", f->trainPresets,
                    "presets whose training speed is measured: auto (small,paper on CUDA; small on "
                    "CPU), a list, or '' for none")
        ->capture_default_str();
    cmd->add_option("--train-batch", f->trainBatch, "training batch size")->capture_default_str();
    cmd->add_option("--train-steps", f->trainSteps, "timed training steps (after one warm-up)")
        ->capture_default_str();
    addThreadsFlag(*cmd, f->threads);
    addRuntimeFlags(*cmd, f->precision, f->channelsLast);
    cmd->add_option(
           "--nodule-slices", f->noduleSlices,
           "also time one nodule of N slices per setting, sampled from its middle slice outward as "
           "`eval --volumes` does (the LIDC validation nodules' median is 5)")
        ->check(CLI::Range(1, 200));
    cmd->add_flag("--compare-devices", f->compareDevices,
                  "also compare CPU and CUDA results (last setting)");
#ifdef FLOWSEG_HAVE_DICOM
    cmd->add_option("--open-study", f->openStudy,
                    "instead: open this DICOM study folder as the window does (headers, the "
                    "reading series' first image, the whole series) and report the times and "
                    "peak memory (e.g. of `flowseg demo-study --full-size`)");
#endif
    cmd->add_flag("--json", f->json, "print JSON");
    cmd->callback([f] { runBench(*f); });
}

}  // namespace flowseg::cli
