#pragma once
// Draws M plausible masks for one image by integrating the guided flow from noise.
// Torch-free header.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "flowseg/engine/network_options.h"
#include "flowseg/engine/solver.h"
#include "flowseg/engine/types.h"
#include "flowseg/engine/uncertainty.h"

namespace flowseg::engine {

class Model;

/// Arithmetic of the network's forward passes while sampling. bf16/fp16 run the
/// network under autocast (convolutions and matmuls in 16 bit, normalization in
/// 32); the ODE state stays float32. fp16 needs CUDA.
enum class Precision { Float32, BFloat16, Float16 };
[[nodiscard]] Precision parsePrecision(const std::string& name);  ///< "fp32", "bf16", "fp16"
[[nodiscard]] std::string precisionName(Precision precision);

struct SamplingOptions {
    Solver solver = Solver::Midpoint;
    int steps = 100;          ///< fixed-step solvers; initial step 1/steps for dopri5
    double tolerance = 1e-3;  ///< dopri5 relative and absolute tolerance
    double guidance = 0.3;    ///< w
    int samples = 15;         ///< M
    std::uint64_t seed = 0;
    int trajectoryEvery = 0;  ///< report every k-th ODE state (0 = none)
    Precision precision = Precision::Float32;
    bool channelsLast = false;  ///< NHWC tensors through the network
    /// Whole nodules (VolumeSampler) only. `chainsEnd` (on by default): a chain
    /// that marks nothing on a slice marks nothing on the slices beyond it in the
    /// sweep's direction — a nodule is one connected volume (on all 250 LIDC
    /// validation nodules it takes the volume GED from 0.373 to 0.332;
    /// docs/BENCHMARKS.md "Chains that end"). `minSliceArea` (off): a mark of
    /// fewer crop pixels off the key slice counts as none (measured worse).
    bool chainsEnd = true;
    int minSliceArea = 0;
    /// Whole nodules: when >= 0, a piece of sample k's mask on a slice that does
    /// not touch sample k's mask on the slice before, grown by this many pixels,
    /// is dropped (a nodule is connected through its slices). -1: off.
    int connectReach = -1;

    /// The paper's setting: midpoint, h = 0.01, w = 0.3, M = 15.
    static SamplingOptions paper();
    /// The review window's default: midpoint, 8 steps (16 evaluations, 480 network
    /// passes: 12.5x fewer than the paper's 6000), w = 0.3, M = 15; the cheapest
    /// setting within 0.01 GED of the paper's on real validation slices
    /// (docs/BENCHMARKS.md "The default re-checked on real data" has the figures).
    static SamplingOptions fastDefault();
    /// The default for this network: a distilled student's jumps
    /// (student_steps of them, Solver::Jump), else fastDefault().
    static SamplingOptions fastDefault(const VelocityUNetOptions& network);
    [[nodiscard]] std::string describe() const;
    /// The trajectoryEvery that keeps about `frames` ODE states over t in [0, 1]
    /// (every state for adaptive dopri5, whose steps are few).
    [[nodiscard]] int trajectoryStride(int frames = 24) const;
};

/// The M continuous states at one time on the path, mapped to [0, 1] by (x+1)/2.
struct TrajectoryFrame {
    int step = 0;
    double t = 0;
    std::vector<ImageF> states;
};

struct SamplingProgress {
    int step = 0;
    int totalSteps = 0;  ///< fixed-step solvers; an estimate for dopri5
    double t = 0;
};

struct SamplingCallbacks {
    std::function<void(const SamplingProgress&)> progress;
    std::function<void(const TrajectoryFrame&)> trajectory;
    /// Polled between ODE steps; returning true stops the run with Cancelled.
    std::function<bool()> cancelled;
};

struct SamplingResult {
    std::vector<Mask> masks;   ///< M binary samples: (x+1)/2 > 0.5
    std::vector<ImageF> soft;  ///< (x+1)/2 clamped to [0, 1], before thresholding
    UncertaintyMaps maps;
    int evaluations = 0;             ///< velocity-field evaluations (ODE function calls)
    std::int64_t networkPasses = 0;  ///< images pushed through the network
    double seconds = 0;
    std::string device;
};

class Sampler {
public:
    explicit Sampler(std::shared_ptr<const Model> model);

    /// `image`: a crop of the model's size, in any grey scale: it goes through
    /// normalizeCrop (model_input.h) first. Throws InvalidInput for a wrong size or
    /// non-finite values, Cancelled when callbacks.cancelled() says so.
    /// A volume model given one crop samples it as a key slice whose neighbours
    /// are unknown (the crop stands in for them).
    [[nodiscard]] SamplingResult sample(const ImageF& image, const SamplingOptions& options,
                                        const SamplingCallbacks& callbacks = {}) const;

    /// Samples with a condition the caller built (e.g. volumeCondition): the
    /// network's image_channels planes, already in the model input convention,
    /// either one set for all M samples (`conditions.size() == 1`) or one set per
    /// sample (`conditions.size() == M`).
    [[nodiscard]] SamplingResult sampleConditioned(
        const std::vector<std::vector<ImageF>>& conditions, const SamplingOptions& options,
        const SamplingCallbacks& callbacks = {}) const;

    [[nodiscard]] const Model& model() const { return *m_model; }

private:
    std::shared_ptr<const Model> m_model;
};

}  // namespace flowseg::engine
