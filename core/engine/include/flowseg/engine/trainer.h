#pragma once
// Trains the velocity network by conditional flow matching on multi-rater cases.
// Torch-free header (pimpl).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/engine/network_options.h"
#include "flowseg/engine/types.h"
#include "flowseg/engine/volume.h"

namespace flowseg::engine {

class Model;

struct TrainingOptions {
    std::string preset = "small";                ///< used when `network` is not set
    std::optional<VelocityUNetOptions> network;  ///< explicit architecture
    std::int64_t iterations = 1000;              ///< total optimizer steps (including resumed ones)
    std::int64_t batchSize = 16;
    double learningRate = 1e-4;
    /// Cool-down: from this step on, the learning rate falls linearly to zero at
    /// `iterations` (-1 = constant). Ending a run this way usually buys a
    /// clearly better model than the same steps at a constant rate.
    std::int64_t lrDecayStart = -1;
    double weightDecay = 0.0;
    double emaDecay = 0.999;
    double conditionDropout = 0.5;
    double gradientClip = 1.0;  ///< max global gradient norm (0 = off)
    std::uint64_t seed = 0;
    std::string device = "auto";
    bool augment = true;  ///< random flips and transposes: all 8 flips and 90° rotations (lesions
                          ///< have no orientation)
    /// Intensity jitter: each example's grey values become clamp(a·x + b, 0, 1) with
    /// a in [1 − j, 1 + j] and b in [−j/2, j/2] (0 = off). Real crops are scaled
    /// by their own HU min and max, so the same tissue lands on slightly different
    /// grey values from one crop to the next.
    double intensityJitter = 0.0;
    /// Train the volume model (volume.h): a new network, or one started from a
    /// slice model's weights (initFrom), reads the 5 volume channels. The new
    /// channels start at zero weight, so training begins from the slice model.
    bool volume = false;
    /// Volume model: which neighbour a prior mask comes from (volume.h PriorSide).
    PriorSide priorSide = PriorSide::Either;
    /// Volume model: share of examples trained as a key slice (no prior mask).
    double priorDropout = 0.25;
    /// Volume model: chance that each neighbouring crop is replaced by the slice
    /// itself, as at a stack's end: a repeated crop must not mean "the nodule ends".
    double neighbourDropout = 0.1;
    /// Distillation (distill.h; the Trainer(TrainingOptions) constructor): the
    /// teacher checkpoint, its cached paths, the student's default jumps, and the
    /// share of examples that learn the teacher's guided velocity (d = 0).
    std::string distillTeacher;
    std::string distillCache;
    int studentSteps = 2;
    double foldShare = 0.25;
    std::string initFrom;        ///< fine-tune: start from these weights, fresh optimizer
    std::string resumeFrom;      ///< continue an interrupted run: weights, EMA, optimizer, step
    std::string checkpointPath;  ///< where run() saves (at the end, on cancel, and periodically)
    std::int64_t checkpointEvery = 0;  ///< steps between periodic saves (0 = only at the end)
    int logEvery = 10;                 ///< steps between progress callbacks
    std::int64_t evaluateEvery =
        0;  ///< steps between evaluate callbacks (0 = only at the end, if set)
    /// Stop as diverged when the loss's moving average (about 20 steps) exceeds this
    /// many times its mean over the first 20 steps (0 = only non-finite losses stop the run).
    double divergenceFactor = 0;
    std::string datasetDescription;
    std::string command;
};

struct TrainingProgress {
    std::int64_t step = 0;
    std::int64_t totalSteps = 0;
    double loss = 0;  ///< mean loss over the steps since the last report
    double iterationsPerSecond = 0;
};

struct TrainingCallbacks {
    std::function<void(const TrainingProgress&)> progress;
    /// Polled between steps; when it returns true the run saves and stops.
    std::function<bool()> cancelled;
    /// Polled between steps; while it returns true the run waits (cancel still stops it).
    std::function<bool()> paused;
    /// Called every `TrainingOptions::evaluateEvery` steps (and at the end) on the
    /// training thread, e.g. to measure the current weights (currentModel()).
    std::function<void(std::int64_t step)> evaluate;
};

struct TrainingOutcome {
    bool completed = false;  ///< false when cancelled
    std::int64_t steps = 0;
    double finalLoss = 0;
    double seconds = 0;
    std::string checkpointPath;
    std::string sha256;
    std::vector<double> lossHistory;  ///< one entry per progress report
};

/// The learning rate used for optimizer step `step` (0-based).
double learningRateAt(const TrainingOptions& options, std::int64_t step);

class Trainer {
public:
    /// Throws InvalidInput for an empty data set, cases without experts, or crops
    /// whose size differs from the network's.
    Trainer(std::vector<MultiRaterCase> cases, TrainingOptions options);
    /// Trains on whole nodules: a volume network learns each slice from its
    /// neighbours and the same reader's mask on the slice next to it (volume.h);
    /// a slice network treats the slices as separate cases.
    Trainer(std::vector<NoduleCase> nodules, TrainingOptions options);
    /// Distils `options.distillTeacher` into a student on the paths cached in
    /// `options.distillCache` (distill.h): the student starts as the teacher,
    /// and its checkpoint carries the teacher for the full sampler. resumeFrom
    /// continues an interrupted student run.
    explicit Trainer(TrainingOptions options);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    TrainingOutcome run(const TrainingCallbacks& callbacks = {});

    [[nodiscard]] const VelocityUNetOptions& networkOptions() const;
    [[nodiscard]] std::int64_t step() const;
    /// The current EMA weights as a model of its own (copied: sampling it never
    /// touches the network being trained), on `device`.
    [[nodiscard]] std::shared_ptr<Model> currentModel(const std::string& device = "cpu") const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace flowseg::engine
