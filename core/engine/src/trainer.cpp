#include "flowseg/engine/trainer.h"

#include <torch/torch.h>
#include <chrono>
#include <optional>
#include <thread>

#include "distill_loss.h"
#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/flow_matching.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/model_input.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/tensor_convert.h"
#include "optimizer_state.h"
#include "seed_mix.h"
#include "trainer_start.h"
#include "training_data.h"
#include "volume_batch.h"

namespace flowseg::engine {

namespace {

std::uint64_t mixSeed(std::uint64_t seed, std::int64_t step) {
    // splitmix64 of (seed, step): every step has its own reproducible stream, so a
    // resumed run continues exactly as the uninterrupted one would have.
    return splitmix64(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(step) + 1);
}

}  // namespace

struct Trainer::Impl {
    TrainingOptions options;
    VelocityUNetOptions networkOptions;
    std::string device;
    VelocityUNet network{nullptr};
    VelocityUNet ema{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer;
    torch::Tensor images;  // [N, 1, S, S] on device
    torch::Tensor
        experts;  // [N, Emax, 1, S, S] bool (foreground) on device: 4x less memory than ±1 floats
    torch::Tensor expertCounts;           // [N] int64 on CPU
    std::optional<VolumeStacks> stacks;   // the volume model's neighbours of each slice
    std::optional<StudentStart> distill;  // a student's teacher and its cached paths
    std::int64_t step = 0;
    std::string parentChecksum;

    void setUp(std::vector<MultiRaterCase> cases);
    void loadData(const std::vector<MultiRaterCase>& cases);
    void restore(const Checkpoint& checkpoint, const std::string& path, bool withOptimizer);
    FlowMatchingBatch drawBatch(torch::Generator& generator) const;
    void updateEma();
    Checkpoint snapshot(double finalLoss, double seconds) const;
};

void Trainer::Impl::loadData(const std::vector<MultiRaterCase>& cases) {
    auto tensors = loadTrainingTensors(cases, networkOptions.image_size(), device);
    images = std::move(tensors.images);
    experts = std::move(tensors.experts);
    expertCounts = std::move(tensors.expertCounts);
}

FlowMatchingBatch Trainer::Impl::drawBatch(torch::Generator& generator) const {
    const auto n = images.size(0);
    const auto b = options.batchSize;
    const auto index = torch::randint(n, {b}, generator, torch::kInt64);
    const auto expert = drawExperts(expertCounts, index, generator);
    const auto deviceIndex = index.to(images.device());
    auto x = stacks
                 ? volumeConditionBatch(images, experts, *stacks, index, expert, options.priorSide,
                                        options.priorDropout, options.neighbourDropout, generator)
                 : images.index_select(0, deviceIndex);
    auto s = experts.index({deviceIndex, expert.to(images.device())}).to(torch::kFloat32) * 2 - 1;
    if (options.augment) {
        const auto choose = [&](const torch::Tensor& flag, const torch::Tensor& a,
                                const torch::Tensor& other) {
            return torch::where(flag.view({-1, 1, 1, 1}).to(a.device()), other, a);
        };
        for (const auto& transform : {0, 1, 2}) {
            const auto flag = torch::rand({b}, generator) < 0.5;
            const auto apply = [&](const torch::Tensor& t) {
                if (transform == 0) return t.flip({3});
                if (transform == 1) return t.flip({2});
                return t.transpose(2, 3);
            };
            x = choose(flag, x, apply(x));
            s = choose(flag, s, apply(s));
        }
    }
    if (options.intensityJitter > 0) {
        const double j = options.intensityJitter;
        const auto uniform = [&] {
            return (torch::rand({b, 1, 1, 1}, generator) * 2 - 1).to(x.device());
        };
        const auto gain = 1 + uniform() * j;
        const auto offset = uniform() * (j / 2);
        if (stacks) {  // the crops, not the prior mask and its flag
            const auto crops = x.narrow(1, 0, kVolumePriorMask);
            x = torch::cat({(crops * gain + offset).clamp(0, 1), x.narrow(1, kVolumePriorMask, 2)},
                           1);
        } else {
            x = (x * gain + offset).clamp(0, 1);
        }
    }
    return {x.contiguous(), s.contiguous()};
}

void Trainer::Impl::updateEma() {
    torch::NoGradGuard noGrad;
    // Warm-up as in common EMA implementations: early on, follow the weights closely.
    const double decay = std::min(
        options.emaDecay, (1.0 + static_cast<double>(step)) / (10.0 + static_cast<double>(step)));
    auto source = network->parameters();
    auto target = ema->parameters();
    for (size_t i = 0; i < source.size(); ++i) target[i].mul_(decay).add_(source[i], 1.0 - decay);
}

void Trainer::Impl::restore(const Checkpoint& checkpoint, const std::string& path,
                            bool withOptimizer) {
    if (!(checkpoint.network == networkOptions))
        throw InvalidInput("'" + path + "' holds a different network architecture (" +
                           checkpoint.network.toJson() + ")");
    assignNamedTensors(*network, checkpoint.weights, "'" + path + "'");
    assignNamedTensors(*ema, checkpoint.ema.empty() ? checkpoint.weights : checkpoint.ema,
                       "'" + path + "'");
    parentChecksum = checkpoint.sha256;
    if (!withOptimizer) return;
    step = checkpoint.step;
    restoreOptimizerMoments(*optimizer, *network, checkpoint.optimizer, step);
}

Checkpoint Trainer::Impl::snapshot(double finalLoss, double seconds) const {
    Checkpoint c;
    c.network = networkOptions;
    c.weights = namedTensors(*network);
    c.ema = namedTensors(*ema);
    c.optimizer = optimizerMoments(*optimizer, *network);
    if (distill) c.teacher = distill->teacherWeights;
    c.step = step;
    auto& p = c.provenance;
    p.preset = options.preset;
    p.dataset = options.datasetDescription;
    p.parent = parentChecksum;
    p.device = device;
    p.torchVersion = torchVersion();
    p.createdAt = common::utcNow();
    p.command = options.command;
    p.seed = options.seed;
    p.iterations = step;
    p.batchSize = options.batchSize;
    p.learningRate = options.learningRate;
    p.finalLoss = finalLoss;
    p.wallSeconds = seconds;
    return c;
}

double learningRateAt(const TrainingOptions& o, std::int64_t step) {
    if (o.lrDecayStart < 0 || step < o.lrDecayStart) return o.learningRate;
    const double span = static_cast<double>(o.iterations - o.lrDecayStart);
    return o.learningRate * static_cast<double>(o.iterations - step) / span;
}

Trainer::Trainer(std::vector<MultiRaterCase> cases, TrainingOptions options)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    if (m_impl->options.volume)
        throw InvalidInput(
            "the volume model trains on whole nodules: group the cases into nodules first");
    // A volume network (a fine-tune of one) finds each slice's neighbours by the
    // cases' names; a slice without them trains as a key slice.
    auto stacks = stacksByName(cases);
    m_impl->setUp(std::move(cases));
    if (m_impl->networkOptions.isVolume()) m_impl->stacks = std::move(stacks);
}

Trainer::Trainer(std::vector<NoduleCase> nodules, TrainingOptions options)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    std::vector<MultiRaterCase> cases;
    auto stacks = flattenNodules(std::move(nodules), cases);
    m_impl->setUp(std::move(cases));
    if (m_impl->networkOptions.isVolume()) m_impl->stacks = std::move(stacks);
}

Trainer::Trainer(TrainingOptions options) : m_impl(std::make_unique<Impl>()) {
    auto& o = m_impl->options;
    o = std::move(options);
    if (o.distillTeacher.empty() || o.distillCache.empty())
        throw InvalidInput("distillation needs the teacher and its cached paths");
    if (o.foldShare < 0 || o.foldShare > 1)
        throw InvalidInput("the share of guided-velocity examples must be in [0, 1]");
    auto start =
        loadStudentStart(o.distillTeacher, o.distillCache, o.studentSteps, resolveDevice(o.device));
    o.network = start.student;
    m_impl->distill = std::move(start);
    m_impl->setUp({});
}

void Trainer::Impl::setUp(std::vector<MultiRaterCase> cases) {
    auto& d = *this;
    const auto& o = d.options;
    checkTrainingOptions(o);
    d.device = resolveDevice(o.device);

    const std::string& startPath = o.resumeFrom.empty() ? o.initFrom : o.resumeFrom;
    auto start = startingCheckpoint(o, d.distill.has_value(), cases);
    if (o.network)
        d.networkOptions = *o.network;
    else if (start)
        d.networkOptions = start->network;
    else
        d.networkOptions = VelocityUNetOptions::preset(o.preset);
    if (o.volume && !o.network && !start)
        d.networkOptions.input("volume").image_channels(kVolumeChannels);
    if (o.volume && !d.networkOptions.isVolume())
        throw InvalidInput("volume training needs a volume network (input \"volume\"), not " +
                           d.networkOptions.toJson());
    d.network = VelocityUNet(d.networkOptions);
    d.network->initialize(
        at::detail::createCPUGenerator(o.seed));  // the run's seed, not torch's global one
    d.ema = VelocityUNet(d.networkOptions);
    assignNamedTensors(*d.ema, namedTensors(*d.network), "EMA copy");
    d.network->to(torch::Device(d.device));
    d.ema->to(torch::Device(d.device));
    d.ema->eval();
    d.optimizer = std::make_unique<torch::optim::AdamW>(
        d.network->parameters(),
        torch::optim::AdamWOptions(o.learningRate).betas({0.9, 0.95}).weight_decay(o.weightDecay));
    if (start) d.restore(*start, startPath, !o.resumeFrom.empty());
    if (d.distill) {
        if (!start) {
            initializeStudentFromTeacher(*d.network, d.distill->teacherWeights);
            initializeStudentFromTeacher(*d.ema, d.distill->teacherWeights);
            d.parentChecksum = d.distill->teacherChecksum;
        }
        return;  // the data are the teacher's paths
    }
    d.loadData(cases);
}

Trainer::~Trainer() = default;

const VelocityUNetOptions& Trainer::networkOptions() const { return m_impl->networkOptions; }

std::shared_ptr<Model> Trainer::currentModel(const std::string& device) const {
    return Model::fromCheckpoint(m_impl->snapshot(0, 0), device);
}
std::int64_t Trainer::step() const { return m_impl->step; }

TrainingOutcome Trainer::run(const TrainingCallbacks& callbacks) {
    auto& d = *m_impl;
    const auto& o = d.options;
    TrainingOutcome outcome;
    const auto start = std::chrono::steady_clock::now();
    auto windowStart = start;
    double windowLoss = 0;
    int windowSteps = 0;
    double lastLoss = 0;
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const auto save = [&] {
        if (o.checkpointPath.empty()) return;
        outcome.sha256 = saveCheckpoint(d.snapshot(lastLoss, elapsed()), o.checkpointPath);
        outcome.checkpointPath = o.checkpointPath;
    };

    d.network->train();
    bool cancelled = false;
    // The divergence guard compares the loss's moving average (over about
    // kGuardSteps steps) with its mean over the run's first kGuardSteps steps: one
    // unlucky batch (losses vary tenfold from batch to batch) never trips it.
    constexpr int kGuardSteps = 20;
    double referenceSum = 0;
    int referenceSteps = 0;
    double movingLoss = 0;
    const auto isCancelled = [&] { return callbacks.cancelled && callbacks.cancelled(); };
    while (d.step < o.iterations) {
        if (callbacks.paused && callbacks.paused()) {
            const auto pausedAt = std::chrono::steady_clock::now();
            while (callbacks.paused() && !isCancelled())
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            windowStart +=
                std::chrono::steady_clock::now() - pausedAt;  // a pause is not slow training
        }
        if (isCancelled()) {
            cancelled = true;
            break;
        }
        d.network->setDropoutSeed(mixSeed(o.seed, d.step));  // dropout inside the network
        auto generator = at::detail::createCPUGenerator(mixSeed(o.seed ^ 0xABCDEFULL, d.step));
        const double lr = learningRateAt(o, d.step);
        for (auto& group : d.optimizer->param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        d.optimizer->zero_grad();
        const auto loss =
            d.distill ? distillationLoss(d.network, d.distill->teacher, d.distill->paths,
                                         {o.batchSize, o.foldShare, 1.0, o.augment}, generator)
                      : flowMatchingLoss(d.network, d.drawBatch(generator), o.conditionDropout,
                                         generator);
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw Error("training diverged at step " + std::to_string(d.step) +
                        " (loss is not finite); lower the learning rate");
        loss.backward();
        if (o.gradientClip > 0)
            torch::nn::utils::clip_grad_norm_(d.network->parameters(), o.gradientClip);
        d.optimizer->step();
        ++d.step;
        d.updateEma();
        windowLoss += value;
        ++windowSteps;
        if (referenceSteps < kGuardSteps) {
            referenceSum += value;
            movingLoss = referenceSum / ++referenceSteps;
        } else {
            movingLoss += (value - movingLoss) / kGuardSteps;
            if (o.divergenceFactor > 0 &&
                movingLoss > o.divergenceFactor * referenceSum / referenceSteps)
                throw Error("training diverged at step " + std::to_string(d.step) + " (loss " +
                            std::to_string(movingLoss) + ", " +
                            std::to_string(static_cast<int>(o.divergenceFactor)) +
                            " times its start); lower the learning rate");
        }
        if (windowSteps >= o.logEvery || d.step == o.iterations) {
            const auto now = std::chrono::steady_clock::now();
            const double seconds = std::chrono::duration<double>(now - windowStart).count();
            lastLoss = windowLoss / windowSteps;
            outcome.lossHistory.push_back(lastLoss);
            if (callbacks.progress)
                callbacks.progress(
                    {d.step, o.iterations, lastLoss, windowSteps / std::max(seconds, 1e-9)});
            windowLoss = 0;
            windowSteps = 0;
            windowStart = now;
        }
        if (o.checkpointEvery > 0 && d.step % o.checkpointEvery == 0 && d.step < o.iterations)
            save();
        if (callbacks.evaluate && o.evaluateEvery > 0 && d.step % o.evaluateEvery == 0 &&
            d.step < o.iterations)
            callbacks.evaluate(d.step);
    }
    if (callbacks.evaluate && !cancelled) callbacks.evaluate(d.step);
    if (windowSteps > 0) lastLoss = windowLoss / windowSteps;
    outcome.completed = !cancelled;
    outcome.steps = d.step;
    outcome.finalLoss = lastLoss;
    outcome.seconds = elapsed();
    save();
    return outcome;
}

}  // namespace flowseg::engine
