// Training: the loss falls, runs are seeded and resumable, cancel saves.

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <algorithm>
#include <filesystem>
#include <numeric>

#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"

using namespace flowseg::engine;
namespace fs = std::filesystem;

namespace {

std::vector<MultiRaterCase> tinySet(int cases = 12) {
    std::vector<MultiRaterCase> out;
    for (int i = 0; i < cases; ++i) out.push_back(generateSyntheticCase({32, 3, 5}, i).data);
    return out;
}

TrainingOptions tinyOptions(std::int64_t iterations) {
    TrainingOptions o;
    o.preset = "tiny";
    o.iterations = iterations;
    o.batchSize = 8;
    o.learningRate = 3e-3;
    o.seed = 7;
    o.device = "cpu";
    o.logEvery = 5;
    return o;
}

std::string tempPath(const std::string& name) {
    return (fs::temp_directory_path() /
            ("flowseg_train_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

}  // namespace

TEST(Trainer, LossFallsOnATinySyntheticSet) {
    Trainer trainer(tinySet(), tinyOptions(150));
    const auto outcome = trainer.run();
    ASSERT_TRUE(outcome.completed);
    ASSERT_EQ(outcome.lossHistory.size(), 30U);
    const double first =
        std::accumulate(outcome.lossHistory.begin(), outcome.lossHistory.begin() + 3, 0.0) / 3;
    const double last =
        std::accumulate(outcome.lossHistory.end() - 3, outcome.lossHistory.end(), 0.0) / 3;
    EXPECT_LT(last, 0.8 * first) << "first " << first << " last " << last;
}

TEST(Trainer, ResumingGivesTheSameWeightsAsOneRun) {
    const auto straightPath = tempPath("straight.fsm");
    const auto firstHalf = tempPath("half.fsm");
    const auto resumedPath = tempPath("resumed.fsm");
    auto o = tinyOptions(10);
    o.checkpointPath = straightPath;
    Trainer(tinySet(), o).run();

    auto a = tinyOptions(5);
    a.checkpointPath = firstHalf;
    Trainer(tinySet(), a).run();
    auto b = tinyOptions(10);
    b.resumeFrom = firstHalf;
    b.checkpointPath = resumedPath;
    Trainer resumed(tinySet(), b);
    EXPECT_EQ(resumed.step(), 5);
    resumed.run();

    const auto x = loadCheckpoint(straightPath);
    const auto y = loadCheckpoint(resumedPath);
    EXPECT_EQ(y.step, 10);
    for (const auto& [name, t] : x.weights)
        EXPECT_LT((t - y.weights.at(name)).abs().max().item<double>(), 1e-5) << name;
    for (const auto& p : {straightPath, firstHalf, resumedPath}) fs::remove(p);
}

TEST(Trainer, ARunIsSeededByItsOwnSeedNotByTorchsGlobalGenerator) {
    // The engine never seeds torch's process-wide generator: a run's initial
    // weights, batches and dropout masks come from its own seed, whatever the rest
    // of the process did with the global generator (a sampler running beside a
    // fine-tune, say), and another seed gives another run.
    auto o = tinyOptions(4);
    o.network = VelocityUNetOptions::preset("tiny").dropout(0.3);
    const auto weightsAfter = [&](std::uint64_t globalSeed, std::uint64_t runSeed) {
        torch::manual_seed(globalSeed);
        (void)torch::rand({17});
        auto options = o;
        options.seed = runSeed;
        const auto path =
            tempPath("seed" + std::to_string(globalSeed) + "_" + std::to_string(runSeed) + ".fsm");
        options.checkpointPath = path;
        Trainer(tinySet(4), options).run();
        auto weights = loadCheckpoint(path).weights;
        fs::remove(path);
        return weights;
    };
    const auto a = weightsAfter(1, 7);
    const auto b = weightsAfter(999, 7);
    const auto c = weightsAfter(1, 8);
    double sameSeed = 0;
    double otherSeed = 0;
    for (const auto& [name, t] : a) {
        sameSeed = std::max(sameSeed, (t - b.at(name)).abs().max().item<double>());
        otherSeed = std::max(otherSeed, (t - c.at(name)).abs().max().item<double>());
    }
    EXPECT_EQ(sameSeed, 0.0);
    EXPECT_GT(otherSeed, 1e-3);
    // And the global generator goes on with its own sequence: after two identical
    // runs that started from different global states, the next global draws differ
    // (a run that seeded the global generator would leave both at its own seed).
    const auto globalDrawAfterARun = [&](std::uint64_t globalSeed) {
        torch::manual_seed(globalSeed);
        Trainer(tinySet(2), o).run();
        return torch::rand({3});
    };
    EXPECT_FALSE(torch::equal(globalDrawAfterARun(1), globalDrawAfterARun(999)));
}

TEST(Trainer, CancelStopsBetweenStepsAndSavesAResumableCheckpoint) {
    const auto path = tempPath("cancel.fsm");
    auto o = tinyOptions(1000);
    o.checkpointPath = path;
    o.logEvery = 1;
    Trainer trainer(tinySet(4), o);
    std::int64_t seen = 0;
    TrainingCallbacks callbacks;
    callbacks.progress = [&](const TrainingProgress& p) { seen = p.step; };
    callbacks.cancelled = [&] { return seen >= 4; };
    const auto outcome = trainer.run(callbacks);
    EXPECT_FALSE(outcome.completed);
    EXPECT_EQ(outcome.steps, 4);
    EXPECT_EQ(loadCheckpoint(path).step, 4);
    fs::remove(path);
}

TEST(Trainer, RejectsUnusableData) {
    EXPECT_THROW(Trainer(std::vector<MultiRaterCase>{}, tinyOptions(1)), InvalidInput);
    auto wrongSize = tinySet(2);
    wrongSize[1] = generateSyntheticCase({64, 3, 5}, 0).data;
    EXPECT_THROW(Trainer(wrongSize, tinyOptions(1)), InvalidInput);
    auto noExperts = tinySet(2);
    noExperts[0].experts.clear();
    EXPECT_THROW(Trainer(noExperts, tinyOptions(1)), InvalidInput);
}

TEST(Trainer, CoolDownLowersTheRateLinearlyToZero) {
    auto o = tinyOptions(100);
    EXPECT_DOUBLE_EQ(learningRateAt(o, 0), 3e-3);  // constant without a cool-down
    EXPECT_DOUBLE_EQ(learningRateAt(o, 99), 3e-3);
    o.lrDecayStart = 60;
    EXPECT_DOUBLE_EQ(learningRateAt(o, 59), 3e-3);
    EXPECT_DOUBLE_EQ(learningRateAt(o, 60), 3e-3);
    EXPECT_NEAR(learningRateAt(o, 80), 1.5e-3, 1e-15);
    EXPECT_NEAR(learningRateAt(o, 99), 3e-3 / 40, 1e-15);  // last step: small, not zero
    o.lrDecayStart = 100;
    EXPECT_THROW(Trainer(tinySet(2), o), InvalidInput);
}

TEST(Trainer, CoolDownChangesTheRunAndResumesExactly) {
    const auto constantPath = tempPath("constant.fsm");
    const auto straightPath = tempPath("cool_straight.fsm");
    const auto firstPart = tempPath("cool_part.fsm");
    const auto resumedPath = tempPath("cool_resumed.fsm");
    auto c = tinyOptions(10);
    c.checkpointPath = constantPath;
    Trainer(tinySet(), c).run();
    auto o = tinyOptions(10);
    o.lrDecayStart = 3;
    o.checkpointPath = straightPath;
    Trainer(tinySet(), o).run();

    auto a2 = o;  // stop the cooled run at step 6, inside the cool-down, as Ctrl-C would
    a2.checkpointPath = firstPart;
    a2.logEvery = 1;
    std::int64_t seen = 0;
    TrainingCallbacks stopAt6;
    stopAt6.progress = [&](const TrainingProgress& p) { seen = p.step; };
    stopAt6.cancelled = [&] { return seen >= 6; };
    EXPECT_FALSE(Trainer(tinySet(), a2).run(stopAt6).completed);
    auto b = o;
    b.resumeFrom = firstPart;
    b.checkpointPath = resumedPath;
    Trainer(tinySet(), b).run();

    const auto constant = loadCheckpoint(constantPath);
    const auto straight = loadCheckpoint(straightPath);
    const auto resumed = loadCheckpoint(resumedPath);
    double changed = 0;
    for (const auto& [name, t] : straight.weights) {
        EXPECT_LT((t - resumed.weights.at(name)).abs().max().item<double>(), 1e-5) << name;
        changed = std::max(changed, (t - constant.weights.at(name)).abs().max().item<double>());
    }
    EXPECT_GT(changed, 1e-6) << "the cool-down did not change the run";
    for (const auto& p : {constantPath, straightPath, firstPart, resumedPath}) fs::remove(p);
}

TEST(Trainer, FineTuningOnCropsTwiceTheSideWidensTheNetwork) {
    const auto start = tempPath("start32.fsm");
    const auto widened = tempPath("wide64.fsm");
    const auto resumed = tempPath("wide64-resumed.fsm");
    auto o = tinyOptions(3);
    o.checkpointPath = start;
    Trainer(tinySet(4), o).run();

    std::vector<MultiRaterCase> large;
    for (int i = 0; i < 4; ++i) large.push_back(generateSyntheticCase({64, 3, 5}, i).data);
    auto fine = tinyOptions(4);
    fine.initFrom = start;
    fine.checkpointPath = widened;
    Trainer tuner(large, fine);
    EXPECT_EQ(tuner.networkOptions().image_size(), 64);
    EXPECT_EQ(tuner.networkOptions().patch_size(), 2);
    EXPECT_EQ(tuner.step(), 0);
    EXPECT_TRUE(tuner.run().completed);
    const auto saved = loadCheckpoint(widened);
    EXPECT_EQ(saved.network.patch_size(), 2);
    EXPECT_EQ(saved.provenance.parent, loadCheckpoint(start).sha256);

    // The widened checkpoint resumes as itself, and is not widened again.
    auto more = tinyOptions(6);
    more.resumeFrom = widened;
    more.checkpointPath = resumed;
    Trainer again(large, more);
    EXPECT_EQ(again.step(), 4);
    EXPECT_EQ(again.networkOptions().patch_size(), 2);

    // 48 is not a whole multiple of 32: refused with a message, not widened.
    std::vector<MultiRaterCase> odd{generateSyntheticCase({48, 3, 5}, 0).data};
    auto bad = tinyOptions(1);
    bad.initFrom = start;
    EXPECT_THROW(Trainer(odd, bad), InvalidInput);
    for (const auto& p : {start, widened, resumed}) fs::remove(p);
}

TEST(Trainer, APauseHoldsTheRunBetweenStepsAndCancelStillStopsIt) {
    auto o = tinyOptions(6);
    o.logEvery = 1;
    Trainer trainer(tinySet(4), o);
    bool paused = true;
    bool cancelRequested = false;
    int pollsWhilePaused = 0;
    TrainingCallbacks callbacks;
    callbacks.paused = [&] {
        if (paused) ++pollsWhilePaused;
        if (!cancelRequested && pollsWhilePaused >= 5) paused = false;  // resumed after ~250 ms
        return paused;
    };
    std::vector<std::int64_t> steps;
    callbacks.progress = [&](const TrainingProgress& p) {
        EXPECT_FALSE(paused) << "a step ran while paused";
        steps.push_back(p.step);
        if (p.step == 3)
            paused = cancelRequested = true;  // paused again, and cancelled while paused
    };
    callbacks.cancelled = [&] { return cancelRequested; };
    const auto outcome = trainer.run(callbacks);
    EXPECT_GE(pollsWhilePaused, 5);
    EXPECT_FALSE(outcome.completed);
    EXPECT_EQ(outcome.steps, 3);
    EXPECT_EQ(steps, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(Trainer, ARunWhoseLossExplodesStopsAsDivergedNamingTheFix) {
    auto o = tinyOptions(60);
    o.learningRate = 50;  // far too high: the weights blow up within a few steps
    o.gradientClip = 0;
    o.divergenceFactor = 10;
    o.logEvery = 2;
    Trainer trainer(tinySet(4), o);
    try {
        trainer.run();
        FAIL() << "a run at learning rate 50 finished";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_TRUE(message.find("diverged") != std::string::npos ||
                    message.find("not finite") != std::string::npos)
            << message;
        EXPECT_NE(message.find("learning rate"), std::string::npos) << message;
    }
}

TEST(Trainer, EvaluateSeesTheCurrentWeightsAsTheCheckpointHoldsThem) {
    const auto path = tempPath("evaluate.fsm");
    auto o = tinyOptions(10);
    o.evaluateEvery = 4;
    o.checkpointPath = path;
    Trainer trainer(tinySet(4), o);
    std::vector<std::int64_t> evaluated;
    std::shared_ptr<Model> last;
    TrainingCallbacks callbacks;
    callbacks.evaluate = [&](std::int64_t step) {
        evaluated.push_back(step);
        EXPECT_EQ(trainer.step(), step);
        last = trainer.currentModel("cpu");
    };
    trainer.run(callbacks);
    EXPECT_EQ(evaluated, (std::vector<std::int64_t>{4, 8, 10}));
    // The model evaluated at the end is the one saved: the same EMA weights sample the same masks.
    auto options = SamplingOptions::fastDefault();
    options.samples = 3;
    options.seed = 5;
    const auto image = tinySet(1).front().image;
    const auto fromRun = Sampler(last).sample(image, options);
    const auto fromFile = Sampler(Model::load(path, "cpu")).sample(image, options);
    ASSERT_EQ(fromRun.soft.size(), fromFile.soft.size());
    for (std::size_t i = 0; i < fromRun.soft.size(); ++i)
        EXPECT_EQ(fromRun.soft[i].pixels, fromFile.soft[i].pixels);
    fs::remove(path);
}
