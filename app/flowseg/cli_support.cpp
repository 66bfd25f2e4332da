#include "cli_support.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "flowseg/engine/model.h"
#include "flowseg/engine/model_location.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/version.h"
#ifdef FLOWSEG_HAVE_IMAGING
#include "flowseg/imaging/image_io.h"
#endif
#ifdef FLOWSEG_HAVE_DICOM
#include "flowseg/dicom/pixel_decoder.h"
#endif
#ifdef FLOWSEG_HAVE_DB
#include "flowseg/db/database.h"
#endif

namespace flowseg::cli {

std::string modelOrDefault(const std::string& given) {
    if (!given.empty()) return given;
    std::error_code error;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
    return engine::findDefaultModel(error ? std::string(".") : exe.parent_path().string());
}

std::string versionText() {
    std::string text = std::string("flowseg (FlowSeg Review) ") + FLOWSEG_VERSION + "\n";
    text += "LibTorch " + engine::torchVersion() +
            (engine::cudaAvailable() ? " (CUDA usable)" : " (CUDA not usable: CPU only)") + "\n";
#ifdef FLOWSEG_HAVE_DICOM
    text += "DCMTK " + dicom::dcmtkVersion() + "\n";
#endif
#ifdef FLOWSEG_HAVE_IMAGING
    text += "OpenCV " + imaging::opencvVersion() + "\n";
#endif
#ifdef FLOWSEG_HAVE_DB
    text += "SQLite " + db::sqliteVersion() + "\n";
#endif
    text += "Qt: not used by the command line (flowseg-review --version lists it)\n";
    try {
        const auto path = modelOrDefault("");
        const auto model = engine::Model::load(path, "cpu");
        text += "model " + path + " (checksum " + model->checksum() + ", " +
                std::to_string(model->parameterCount()) + " parameters, trained " +
                model->provenance().createdAt + ")";
    } catch (const std::exception& e) {
        std::string why = e.what();
        for (auto nl = why.find('\n'); nl != std::string::npos; nl = why.find('\n'))
            why.replace(nl, 1, " ");
        text += "model: none usable (" + why + ")";
    }
    return text;
}

void SamplingFlags::addTo(CLI::App& command) {
    auto* named =
        command
            .add_option(
                "--sampling", preset,
                "default (the app's sampling, whatever it is) or paper (the paper's setting); "
                "instead of --solver and --steps")
            ->check(CLI::IsMember({"default", "paper"}));
    command
        .add_option("--solver", solver,
                    "ODE solver: euler, midpoint, heun, rk4, dopri5, or jump (a distilled student)")
        ->capture_default_str()
        ->excludes(named);
    command.add_option("--steps", steps, "ODE steps over t in [0, 1]")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str()
        ->excludes(named);
    command.add_option("--tolerance", tolerance, "dopri5 tolerance")->capture_default_str();
    command.add_option("--guidance,-w", guidance, "guidance weight w")->capture_default_str();
    command.add_option("--m,--samples", samples, "number of samples M")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    command.add_option("--seed", seed, "random seed")->capture_default_str();
    command.add_flag("--chains-end,!--chains-restart", chainsEnd,
                     "whole nodules: a chain that marks nothing on a slice marks nothing beyond "
                     "it (the default); --chains-restart lets it mark again");
    command
        .add_option("--min-slice-area", minSliceArea,
                    "whole nodules: a mark of fewer crop pixels off the key slice counts as none")
        ->check(CLI::Range(0, 1 << 20))
        ->capture_default_str();
    command
        .add_option("--connect-reach", connectReach,
                    "whole nodules: drop a piece of a sample's mask that does not touch the same "
                    "sample's mask on the slice before grown by this many pixels (-1: off)")
        ->check(CLI::Range(-1, 64))
        ->capture_default_str();
    addRuntimeFlags(command, precision, channelsLast);
}

void addRuntimeFlags(CLI::App& command, std::string& precision, bool& channelsLast) {
    command
        .add_option("--precision", precision,
                    "network arithmetic: fp32, bf16 (autocast) or fp16 (autocast, CUDA)")
        ->check(CLI::IsMember({"fp32", "bf16", "fp16"}))
        ->capture_default_str();
    command.add_flag("--channels-last", channelsLast, "run the network on NHWC tensors");
}

engine::SamplingOptions SamplingFlags::toOptions(const engine::VelocityUNetOptions& network) const {
    engine::SamplingOptions o;
    o.solver = engine::parseSolver(solver);
    o.steps = steps;
    if (!preset.empty()) {
        const auto named = preset == "paper" ? engine::SamplingOptions::paper()
                                             : engine::SamplingOptions::fastDefault(network);
        o.solver = named.solver;
        o.steps = named.steps;
    }
    o.tolerance = tolerance;
    o.guidance = guidance;
    o.samples = samples;
    o.seed = seed;
    o.precision = engine::parsePrecision(precision);
    o.channelsLast = channelsLast;
    o.chainsEnd = chainsEnd;
    o.minSliceArea = minSliceArea;
    o.connectReach = connectReach;
    return o;
}

engine::TrainingOutcome runTraining(engine::Trainer& trainer, const std::string& out, bool json,
                                    int lossDecimals) {
    engine::TrainingCallbacks callbacks;
    callbacks.progress = [lossDecimals](const engine::TrainingProgress& p) {
        std::fprintf(stderr, "  step %lld/%lld  loss %.*f  %.2f it/s\n",
                     static_cast<long long>(p.step), static_cast<long long>(p.totalSteps),
                     lossDecimals, p.loss, p.iterationsPerSecond);
    };
    callbacks.cancelled = [] { return interruptRequested().load(); };
    const auto outcome = trainer.run(callbacks);
    if (!outcome.completed)
        std::fprintf(stderr, "interrupted at step %lld; saved to %s; continue with --resume %s\n",
                     static_cast<long long>(outcome.steps), out.c_str(), out.c_str());
    if (json)
        printJson({{"out", out},
                   {"completed", outcome.completed},
                   {"steps", outcome.steps},
                   {"final_loss", outcome.finalLoss},
                   {"seconds", outcome.seconds},
                   {"sha256", outcome.sha256},
                   {"loss_history", outcome.lossHistory}});
    else
        std::cout << "saved " << out << " after " << outcome.steps << " steps, loss "
                  << outcome.finalLoss << ", " << outcome.seconds << " s\n";
    return outcome;
}

std::atomic<bool>& interruptRequested() {
    static std::atomic<bool> flag{false};
    return flag;
}

namespace {
extern "C" void onInterrupt(int) { interruptRequested().store(true); }
std::string& storedCommandLine() {
    static std::string line;
    return line;
}
}  // namespace

void installInterruptHandler() {
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

void printJson(const nlohmann::json& value) { std::cout << value.dump(2) << std::endl; }

nlohmann::json metricsToJson(const engine::CaseMetrics& m) {
    return {{"ged", m.ged},
            {"hm_iou", m.hmIou},
            {"dice", m.dice},
            {"d_max", m.dMax},
            {"variance_correlation",
             m.varianceCorrelation ? nlohmann::json(*m.varianceCorrelation) : nlohmann::json()},
            {"single_mask_ged", m.singleMaskGed},
            {"ged_cross", m.crossDistance},
            {"ged_sample_diversity", m.sampleDiversity},
            {"ged_expert_diversity", m.expertDiversity}};
}

std::string commandLine() { return storedCommandLine(); }

void setCommandLine(int argc, char** argv) {
    std::string line;
    for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
    storedCommandLine() = line;
}

void addPriorFlags(CLI::App& command, std::string& priors, double& priorDropout) {
    command
        .add_option("--priors", priors,
                    "volume model: a slice's prior mask from either neighbour at random "
                    "(either) or from the neighbour toward the nodule's middle, as the sweep "
                    "reaches it (inward)")
        ->check(CLI::IsMember({"either", "inward"}))
        ->capture_default_str();
    command
        .add_option("--prior-dropout", priorDropout,
                    "volume model: share of examples drawn as a key slice (no prior mask)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
}

void addThreadsFlag(CLI::App& command, int& threads) {
    command.add_option("--threads", threads, "CPU threads (0 = all cores)")->capture_default_str();
}

int applyThreads(int threads) { return engine::configureThreads(threads); }

}  // namespace flowseg::cli
