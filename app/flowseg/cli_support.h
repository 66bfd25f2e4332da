#pragma once
// Shared pieces of the `flowseg` subcommands: option groups, JSON helpers, signals.

#include <CLI/CLI.hpp>
#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "flowseg/engine/metrics.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/trainer.h"

namespace flowseg::cli {

/// Sampling flags shared by `sample`, `eval` and `bench`.
struct SamplingFlags {
    std::string preset;  ///< --sampling default|paper: the solver and steps of
                         ///< SamplingOptions::fastDefault()/paper()
    std::string solver = "midpoint";
    int steps = 100;
    double tolerance = 1e-3;
    double guidance = 0.3;
    int samples = 15;
    std::uint64_t seed = 0;
    std::string precision = "fp32";
    bool channelsLast = false;
    bool chainsEnd = true;
    int minSliceArea = 0;
    int connectReach = -1;

    void addTo(CLI::App& command);
    /// `network`: the model's, so that `default` is its default (a distilled
    /// student's jumps; SamplingOptions::fastDefault(network)).
    [[nodiscard]] engine::SamplingOptions toOptions(
        const engine::VelocityUNetOptions& network) const;
};

/// `--precision` and `--channels-last` (shared with `bench`).
void addRuntimeFlags(CLI::App& command, std::string& precision, bool& channelsLast);

/// Set by SIGINT/SIGTERM so that long commands can stop cleanly between steps.
std::atomic<bool>& interruptRequested();
void installInterruptHandler();

/// Prints either JSON to stdout or a human summary, never both.
void printJson(const nlohmann::json& value);

nlohmann::json metricsToJson(const engine::CaseMetrics& m);
/// The command line as one string, for provenance.
std::string commandLine();
void setCommandLine(int argc, char** argv);

/// `--model` when given; otherwise the shipped model, found as the review window
/// finds it ($FLOWSEG_MODEL, <prefix>/share/flowseg/models, <source>/models).
/// Throws with every path tried when there is none.
std::string modelOrDefault(const std::string& given);

/// What `flowseg --version` prints: the app's version and those of the libraries
/// this build links, whether CUDA is usable, and the model it would use.
std::string versionText();

/// Runs `trainer` with a progress line per report (the loss to `lossDecimals`
/// places) and Ctrl-C saving, then says how it ended: the --resume hint when
/// interrupted, and the outcome as JSON or one line. Returns the outcome (the
/// caller exits 130 when it is not completed).
engine::TrainingOutcome runTraining(engine::Trainer& trainer, const std::string& out, bool json,
                                    int lossDecimals = 4);

/// The volume model's training examples: `--priors either|inward` (which
/// neighbour a prior mask comes from, volume.h PriorSide) and `--prior-dropout`.
void addPriorFlags(CLI::App& command, std::string& priors, double& priorDropout);

/// `--threads` handling shared by all commands that compute.
void addThreadsFlag(CLI::App& command, int& threads);
/// Returns the number of threads in effect.
int applyThreads(int threads);

}  // namespace flowseg::cli
