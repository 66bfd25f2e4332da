// The volume model: widened from a slice model it computes what the slice model
// did; it trains on nodules; its samples are chains through the slices.

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <filesystem>
#include <optional>

#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/model_input.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/engine/uncertainty.h"
#include "flowseg/engine/volume.h"
#include "flowseg/engine/volume_sampler.h"
#include "test_util.h"

using namespace flowseg::engine;

namespace {

// A tiny volume network with every weight perturbed, the prior channels included.
std::shared_ptr<Model> tinyVolumeModel(std::uint64_t seed = 5) {
    auto options =
        VelocityUNetOptions::preset("tiny").image_size(16).input("volume").image_channels(
            kVolumeChannels);
    auto model = Model::untrained(options, "cpu", seed);
    torch::NoGradGuard noGrad;
    torch::manual_seed(seed);
    for (auto& p : model->impl().network->parameters()) p.add_(torch::randn_like(p) * 0.1);
    return model;
}

std::vector<ImageF> stack(int slices, int side = 16) {
    std::vector<ImageF> crops;
    for (int s = 0; s < slices; ++s) {
        ImageF image(side, side);
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) image.at(y, x) = ((x + 2 * y + 3 * s) % 7) / 7.0F;
        crops.push_back(image);
    }
    return crops;
}

SamplingOptions quick(int samples = 4) {
    SamplingOptions o;
    o.solver = Solver::Euler;
    o.steps = 3;
    o.samples = samples;
    o.seed = 11;
    return o;
}

NoduleCase tinyNodule(int index, int slices) {
    NoduleCase nodule{"P" + std::to_string(index) + "_nodule-0", {}, {}};
    for (int s = 0; s < slices; ++s) {
        auto c = generateSyntheticCase({32, 3, 9}, index * 10 + s).data;
        c.id = nodule.id + "_slice-" + std::to_string(s);
        nodule.slices.push_back(std::move(c));
        nodule.sliceNumbers.push_back(s);
    }
    return nodule;
}

}  // namespace

TEST(WidenToVolume, TheWidenedNetworkComputesWhatTheSliceModelDid) {
    torch::manual_seed(2);
    VelocityUNet slice(
        VelocityUNetOptions::preset("tiny").image_size(32).patch_size(2).pixel_skip(true));
    {
        torch::NoGradGuard noGrad;
        for (auto& p : slice->parameters()) p.add_(torch::randn_like(p) * 0.1);
    }
    slice->eval();
    Checkpoint source;
    source.network = slice->options();
    source.weights = namedTensors(*slice);
    source.ema = source.weights;
    source.step = 9;
    const auto widened = widenToVolume(source);
    EXPECT_TRUE(widened.network.isVolume());
    EXPECT_EQ(widened.network.image_channels(), kVolumeChannels);
    EXPECT_TRUE(widened.optimizer.empty());
    EXPECT_EQ(widened.step, 0);
    VelocityUNet volume(widened.network);
    assignNamedTensors(*volume, widened.ema, "widened EMA");
    volume->eval();

    torch::NoGradGuard noGrad;
    const auto xt = torch::randn({2, 1, 32, 32});
    const auto crop = torch::rand({2, 1, 32, 32});
    const auto t = torch::tensor({0.2F, 0.7F});
    const auto others = torch::rand({2, kVolumeChannels - 1, 32, 32});  // neighbours and a prior
    const auto expected = slice(xt, crop, t);
    EXPECT_GT(expected.abs().max().item<double>(), 1e-3);
    EXPECT_LT((volume(xt, torch::cat({crop, others}, 1), t) - expected).abs().max().item<double>(),
              1e-5);

    // The header says which input the network reads; old headers mean "slice".
    EXPECT_TRUE(VelocityUNetOptions::fromJson(widened.network.toJson()).isVolume());
    EXPECT_EQ(source.network.toJson().find("input"), std::string::npos);
    EXPECT_THROW(widenToVolume(widened), InvalidInput);
    EXPECT_THROW(VelocityUNetOptions::preset("tiny").input("volume").validate(),
                 InvalidInput);  // 1 channel
    EXPECT_THROW(VelocityUNetOptions::preset("tiny").input("stack").validate(), InvalidInput);
}

TEST(VolumeSampler, EachSamplesSlicesComeFromOneChain) {
    const auto model = tinyVolumeModel();
    const VolumeSampler volumes(model);
    const Sampler slices(model);
    const auto crops = stack(4);
    const auto options = quick();
    const auto result = volumes.sample(crops, 1, options);
    ASSERT_TRUE(result.coherent);
    ASSERT_EQ(result.slices.size(), 4U);
    EXPECT_EQ(result.networkPasses, 4 * 3 * 2 * 4);  // slices x evaluations x branches x M

    std::vector<ImageF> normalized;
    for (const auto& c : crops) normalized.push_back(normalizeCrop(c));
    // Key slice: no prior, the run's own seed.
    const auto key =
        slices.sampleConditioned({volumeCondition(normalized, 1, -1, nullptr)}, options);
    EXPECT_EQ(key.masks, result.slices[1].masks);
    // Every other slice: sample k is conditioned on sample k's own mask on the
    // slice the sweep came from (up from the key slice, then down), and replaying
    // that condition with the slice's seed gives the same soft masks bit for bit.
    const auto conditionsFor = [&](int slice, int behind, const std::vector<Mask>& priors) {
        std::vector<std::vector<ImageF>> conditions;
        for (const auto& prior : priors)
            conditions.push_back(volumeCondition(normalized, slice, behind, &prior));
        return conditions;
    };
    for (const auto& [slice, behind] : {std::pair{2, 1}, std::pair{3, 2}, std::pair{0, 1}}) {
        auto o = options;
        o.seed = volumeSliceSeed(options.seed, slice - 1);
        const auto& priors = result.slices[static_cast<size_t>(behind)].masks;
        const auto replay = slices.sampleConditioned(conditionsFor(slice, behind, priors), o);
        EXPECT_EQ(replay.masks, result.slices[static_cast<size_t>(slice)].masks)
            << "slice " << slice;
        for (size_t k = 0; k < replay.soft.size(); ++k)
            EXPECT_EQ(replay.soft[k].pixels,
                      result.slices[static_cast<size_t>(slice)].soft[k].pixels);
    }
    // The prior is read: other masks on slice 1 give other soft masks on slice 2.
    std::vector<Mask> otherPriors(4, Mask(16, 16));
    for (auto& m : otherPriors)
        std::fill(m.pixels.begin(), m.pixels.begin() + 100, std::uint8_t{1});
    auto o = options;
    o.seed = volumeSliceSeed(options.seed, 1);
    const auto moved = slices.sampleConditioned(conditionsFor(2, 1, otherPriors), o);
    EXPECT_NE(moved.soft[0].pixels, result.slices[2].soft[0].pixels);
    // chain(k) is sample k on every slice, bottom to top.
    ASSERT_EQ(result.chain(2).size(), 4U);
    EXPECT_EQ(result.chain(2)[3], result.slices[3].masks[2]);
    EXPECT_EQ(result.chains().size(), 4U);
}

TEST(VolumeSampler, TheStackGrowsWhileASampleContinuesPastItsEnds) {
    const VolumeSampler sampler(tinyVolumeModel());
    const auto crops = stack(3);
    const auto options = quick();
    const auto plain = sampler.sample(crops, 1, options);
    const auto marked = [](const SamplingResult& slice) {
        for (const auto& mask : slice.masks)
            if (mask.area() > 0) return true;
        return false;
    };
    // The series has 4 more slices below the stack and 4 above (stack(12)'s 0-3 and 8-11).
    const auto series = stack(12);
    int below = 0;
    int above = 0;
    std::vector<int> asked;
    VolumeGrowth growth;
    growth.maxSlices = 9;
    growth.next = [&](int side) -> std::optional<ImageF> {
        asked.push_back(side);
        int& grown = side > 0 ? above : below;
        if (grown == 4) return std::nullopt;
        const int index = side > 0 ? 8 + grown : 3 - grown;
        ++grown;
        return series.at(static_cast<size_t>(index));
    };
    const auto grown = sampler.sample(crops, 1, options, {}, growth);
    const auto n = static_cast<int>(grown.slices.size());
    EXPECT_EQ(n, 3 + grown.addedBelow + grown.addedAbove);
    EXPECT_LE(n, growth.maxSlices);
    EXPECT_EQ(grown.keySlice, 1 + grown.addedBelow)
        << "the key slice keeps its place in the series";
    // Growing changes nothing on the slices given: the same masks, bit for bit.
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(grown.slices[static_cast<size_t>(grown.addedBelow + i)].masks,
                  plain.slices[static_cast<size_t>(i)].masks)
            << "slice " << i;
    // A slice was added only where the slice before it was marked, and the growth
    // stopped on an unmarked end, the series' end or the limit.
    for (int i = 0; i < grown.addedAbove; ++i)
        EXPECT_TRUE(marked(grown.slices[static_cast<size_t>(n - grown.addedAbove - 1 + i)]));
    for (int i = 0; i < grown.addedBelow; ++i)
        EXPECT_TRUE(marked(grown.slices[static_cast<size_t>(grown.addedBelow - i)]));
    if (n < growth.maxSlices) {
        EXPECT_TRUE(!marked(grown.slices.back()) || above == 4);
        EXPECT_TRUE(!marked(grown.slices.front()) || below == 4);
    }
    // Each grown slice is sampled, M masks of the crop's size, on its own seed.
    for (const auto& slice : grown.slices) ASSERT_EQ(slice.masks.size(), 4U);
    // This network marks its slices, so the limit is what stopped it here.
    ASSERT_TRUE(marked(plain.slices.back()) && marked(plain.slices.front()));
    EXPECT_EQ(n, growth.maxSlices);
    // Without a limit above the stack, nothing grows and nothing is asked.
    asked.clear();
    growth.maxSlices = 3;
    EXPECT_EQ(sampler.sample(crops, 1, options, {}, growth).slices.size(), 3U);
    EXPECT_TRUE(asked.empty());
    // Where the series ends, the stack ends.
    growth.maxSlices = 50;
    growth.next = [](int) -> std::optional<ImageF> { return std::nullopt; };
    EXPECT_EQ(sampler.sample(crops, 1, options, {}, growth).slices.size(), 3U);
}

TEST(VolumeSampler, ASliceModelSamplesEachSliceOnItsOwn) {
    const auto model = flowseg::test::tinyModel();
    const auto crops = stack(3);
    const auto result = VolumeSampler(model).sample(crops, 2, quick());
    EXPECT_FALSE(result.coherent);
    auto o = quick();
    o.seed = volumeSliceSeed(o.seed, -2);
    EXPECT_EQ(result.slices[0].masks, Sampler(model).sample(crops[0], o).masks);
    EXPECT_THROW((void)VolumeSampler(model).sample(crops, 3, quick()), InvalidInput);
    EXPECT_THROW((void)VolumeSampler(model).sample({}, 0, quick()), InvalidInput);
}

TEST(VolumeSampler, ProgressCountsStepsOverAllSlicesAndCancelStops) {
    const VolumeSampler sampler(tinyVolumeModel());
    SamplingCallbacks callbacks;
    int last = 0;
    int total = 0;
    callbacks.progress = [&](const SamplingProgress& p) {
        EXPECT_GE(p.step, last);
        last = p.step;
        total = p.totalSteps;
    };
    (void)sampler.sample(stack(3), 1, quick(), callbacks);
    EXPECT_EQ(total, 9);
    EXPECT_EQ(last, 9);
    int polls = 0;
    last = 0;
    callbacks.cancelled = [&] { return ++polls > 4; };
    EXPECT_THROW((void)sampler.sample(stack(3), 1, quick(), callbacks), Cancelled);
}

TEST(VolumeTrainer, TrainsOnNodulesAndRefusesLooseSlices) {
    std::vector<NoduleCase> nodules{tinyNodule(0, 3), tinyNodule(1, 1), tinyNodule(2, 4)};
    TrainingOptions o;
    o.preset = "tiny";
    o.iterations = 4;
    o.batchSize = 6;
    o.learningRate = 1e-3;
    o.device = "cpu";
    o.volume = true;
    o.intensityJitter = 0.1;
    Trainer trainer(nodules, o);
    EXPECT_TRUE(trainer.networkOptions().isVolume());
    const auto outcome = trainer.run();
    EXPECT_TRUE(outcome.completed);
    EXPECT_TRUE(std::isfinite(outcome.finalLoss));
    const auto model = trainer.currentModel();
    EXPECT_TRUE(model->options().isVolume());
    // The trained model samples a nodule through the same sampler interface.
    std::vector<ImageF> crops;
    for (const auto& s : nodules[2].slices) crops.push_back(s.image);
    EXPECT_EQ(VolumeSampler(model).sample(crops, 2, quick(2)).slices.size(), 4U);
    // A volume network needs the nodules' neighbours.
    EXPECT_THROW(Trainer(nodules[0].slices, o), InvalidInput);
}

TEST(VolumeTraining, AVolumeNetworkFineTunesOnNamedSlicesAndLoneCases) {
    // Fine-tuning the shipped model (a volume network) on a store's outlined
    // slices: each slice finds its neighbours by name, a lone case is a key slice.
    auto cases = tinyNodule(0, 3).slices;
    auto lone = generateSyntheticCase({32, 3, 9}, 77).data;
    lone.id = "somewhere-else";
    cases.push_back(std::move(lone));
    TrainingOptions o;
    o.network = VelocityUNetOptions::preset("tiny").input("volume").image_channels(kVolumeChannels);
    o.iterations = 2;
    o.batchSize = 4;
    o.device = "cpu";
    Trainer trainer(cases, o);
    EXPECT_TRUE(trainer.networkOptions().isVolume());
    EXPECT_TRUE(trainer.run().completed);
}

// The whole-nodule end rules (chains end: on by default; a minimum area: off): a chain that marked
// nothing on the slice it came from marks nothing here, and a mark smaller than
// the minimum area counts as none; the maps follow the masks.
TEST(VolumeSampler, EndRulesEndAChainAndDropTinyMarks) {
    const auto square = [](int side) {
        Mask m(16, 16);
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) m.at(y, x) = 1;
        return m;
    };
    SamplingResult slice;
    slice.masks = {square(4), square(2), square(5)};  // areas 16, 4, 25
    slice.maps = uncertaintyMaps(slice.masks);
    const std::vector<Mask> prior{square(3), square(3), Mask(16, 16)};  // chain 3 ended
    SamplingOptions off;
    off.chainsEnd = false;
    auto unchanged = slice;
    applyVolumeEndRules(unchanged, prior, off);
    EXPECT_EQ(unchanged.masks, slice.masks);

    const SamplingOptions chains;  // the default
    EXPECT_TRUE(chains.chainsEnd);
    auto ended = slice;
    applyVolumeEndRules(ended, prior, chains);
    EXPECT_EQ(ended.masks[0].area(), 16);
    EXPECT_EQ(ended.masks[1].area(), 4);
    EXPECT_EQ(ended.masks[2].area(), 0) << "its chain ended on the slice before";
    EXPECT_FLOAT_EQ(ended.maps.probability.at(0, 3), 1.0F / 3);  // chain 1 alone now

    SamplingOptions tiny;
    tiny.chainsEnd = false;
    tiny.minSliceArea = 5;
    auto dropped = slice;
    applyVolumeEndRules(dropped, prior, tiny);
    EXPECT_EQ(dropped.masks[1].area(), 0) << "4 pixels < 5";
    EXPECT_EQ(dropped.masks[2].area(), 25);
    EXPECT_FLOAT_EQ(dropped.maps.probability.at(0, 0), 2.0F / 3);
}

// With connectReach, a piece of a sample's mask that does not touch the same
// sample's mask on the slice before (grown by the reach) is dropped.
TEST(VolumeSampler, ConnectReachDropsPiecesAwayFromTheChain) {
    Mask prior(16, 16);
    for (int y = 2; y < 6; ++y)
        for (int x = 2; x < 6; ++x) prior.at(y, x) = 1;
    Mask mask(16, 16);
    for (int y = 3; y < 7; ++y)
        for (int x = 3; x < 7; ++x) mask.at(y, x) = 1;  // overlaps the prior: 16 px
    for (int y = 12; y < 14; ++y)
        for (int x = 12; x < 15; ++x) mask.at(y, x) = 1;  // far from it: 6 px
    SamplingResult slice;
    slice.masks = {mask};
    slice.maps = uncertaintyMaps(slice.masks);
    SamplingOptions options;
    options.connectReach = 0;
    auto near = slice;
    applyVolumeEndRules(near, {prior}, options);
    EXPECT_EQ(near.masks[0].area(), 16);
    EXPECT_EQ(near.masks[0].at(12, 12), 0);
    EXPECT_FLOAT_EQ(near.maps.probability.at(12, 12), 0.0F);
    options.connectReach = 8;  // the far piece is within 8 px of the prior
    auto wide = slice;
    applyVolumeEndRules(wide, {prior}, options);
    EXPECT_EQ(wide.masks[0].area(), 22);
    options.connectReach = -1;  // off (the default)
    EXPECT_EQ(SamplingOptions{}.connectReach, -1);
    auto off = slice;
    applyVolumeEndRules(off, {prior}, options);
    EXPECT_EQ(off.masks[0].area(), 22);
}
