// Checkpoints round-trip exactly; truncated, corrupt, foreign and non-finite files
// are refused with a CheckpointError.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "checkpoint_fixtures.h"
#include "flowseg/common/sha256.h"
#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/velocity_unet.h"

using namespace flowseg::engine;
namespace fs = std::filesystem;

namespace {

class CheckpointFile : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() /
                ("flowseg_ckpt_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    Checkpoint makeCheckpoint() {
        torch::manual_seed(1);
        VelocityUNet net(VelocityUNetOptions::preset("tiny"));
        Checkpoint c;
        c.network = net->options();
        c.weights = namedTensors(*net);
        for (auto& [name, t] : c.weights) c.ema[name] = t * 0.5;
        c.optimizer["input_conv.weight/exp_avg"] = torch::ones({2, 3});
        c.step = 17;
        c.provenance.seed = 9;
        c.provenance.command = "flowseg train --iters 17";
        return c;
    }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }
    static std::string readAll(const std::string& p) { return flowseg::test::readFileBytes(p); }
    static void writeAll(const std::string& p, const std::string& bytes) {
        flowseg::test::writeFileBytes(p, bytes);
    }

    fs::path m_dir;
};

}  // namespace

TEST_F(CheckpointFile, RoundTripsWeightsOptionsAndProvenance) {
    const auto original = makeCheckpoint();
    const auto checksum = saveCheckpoint(original, path("a.fsm"));
    const auto loaded = loadCheckpoint(path("a.fsm"));
    EXPECT_EQ(loaded.sha256, checksum);
    EXPECT_TRUE(loaded.network == original.network);
    EXPECT_EQ(loaded.step, 17);
    EXPECT_EQ(loaded.provenance.seed, 9U);
    EXPECT_EQ(loaded.provenance.command, "flowseg train --iters 17");
    ASSERT_EQ(loaded.weights.size(), original.weights.size());
    for (const auto& [name, t] : original.weights)
        EXPECT_TRUE(torch::equal(loaded.weights.at(name), t)) << name;
    for (const auto& [name, t] : original.ema)
        EXPECT_TRUE(torch::equal(loaded.ema.at(name), t)) << name;
    EXPECT_TRUE(
        torch::equal(loaded.optimizer.at("input_conv.weight/exp_avg"), torch::ones({2, 3})));
    // A model built from it uses the EMA weights.
    const auto model = Model::load(path("a.fsm"), "cpu");
    EXPECT_EQ(model->checksum(), checksum);
    EXPECT_FALSE(fs::exists(path("a.fsm.partial")));
}

TEST_F(CheckpointFile, MissingTruncatedCorruptAndForeignFilesAreRefused) {
    EXPECT_THROW(loadCheckpoint(path("missing.fsm")), CheckpointError);
    saveCheckpoint(makeCheckpoint(), path("good.fsm"));
    const auto bytes = readAll(path("good.fsm"));

    writeAll(path("truncated.fsm"), bytes.substr(0, bytes.size() - 100));
    EXPECT_THROW(loadCheckpoint(path("truncated.fsm")), CheckpointError);
    writeAll(path("header_only.fsm"), bytes.substr(0, 12));
    EXPECT_THROW(loadCheckpoint(path("header_only.fsm")), CheckpointError);

    auto flipped = bytes;
    flipped[flipped.size() - 7] ^= 0x40;
    writeAll(path("flipped.fsm"), flipped);
    try {
        loadCheckpoint(path("flipped.fsm"));
        FAIL() << "a corrupt file was accepted";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
    }

    writeAll(path("archive.pt"), std::string("PK\x03\x04") + std::string(100, 'x'));
    try {
        loadCheckpoint(path("archive.pt"));
        FAIL() << "a zip archive was accepted";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("LibTorch"), std::string::npos) << e.what();
    }
    writeAll(path("text.fsm"), "hello, this is not a model at all");
    EXPECT_THROW(loadCheckpoint(path("text.fsm")), CheckpointError);
    EXPECT_THROW(loadCheckpoint(m_dir.string()), CheckpointError);
}

TEST_F(CheckpointFile, NonFiniteWeightsAreRefusedOnSaveAndOnLoad) {
    auto c = makeCheckpoint();
    c.weights.begin()->second.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(saveCheckpoint(c, path("nan.fsm")), CheckpointError);
    EXPECT_FALSE(fs::exists(path("nan.fsm")));

    // A file whose checksum is right but whose data holds NaN (written by another tool).
    saveCheckpoint(makeCheckpoint(), path("good.fsm"));
    flowseg::test::writeNanCheckpoint(path("good.fsm"), path("nan_data.fsm"));
    try {
        loadCheckpoint(path("nan_data.fsm"));
        FAIL() << "NaN weights were accepted";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
    }
}

TEST(Sha256, MatchesKnownVectors) {
    EXPECT_EQ(flowseg::common::sha256Hex("", 0),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(flowseg::common::sha256Hex("abc", 3),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string million(1000000, 'a');
    EXPECT_EQ(flowseg::common::sha256Hex(million.data(), million.size()),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(VelocityUNet, PaperPresetHasAboutTwentyThreeMillionParameters) {
    VelocityUNet net(VelocityUNetOptions::preset("paper"));
    const auto count = net->parameterCount();
    EXPECT_GT(count, 20'000'000);
    EXPECT_LT(count, 26'000'000);
    torch::NoGradGuard noGrad;
    VelocityUNet small(VelocityUNetOptions::preset("small"));
    const auto out = small->forward(torch::zeros({2, 1, 128, 128}), torch::zeros({2, 1, 128, 128}),
                                    torch::full({2}, 0.5));
    EXPECT_EQ(out.sizes(), torch::IntArrayRef({2, 1, 128, 128}));
}

TEST(WidenToPatch, ComputesTheBoxAveragedNetworkOnBlockConstantMasks) {
    torch::manual_seed(4);
    VelocityUNet small(VelocityUNetOptions::preset("tiny"));  // 32 x 32
    {
        torch::NoGradGuard noGrad;  // the zero-initialized output layers would hide everything
        for (auto& p : small->parameters()) p.add_(torch::randn_like(p) * 0.1);
    }
    small->eval();
    Checkpoint source;
    source.network = small->options();
    source.weights = namedTensors(*small);
    source.ema = source.weights;
    source.optimizer["input_conv.weight/exp_avg"] = torch::ones({2, 3});
    source.step = 40;

    const auto wide = widenToPatch(source, 2);
    EXPECT_EQ(wide.network.image_size(), 64);
    EXPECT_EQ(wide.network.patch_size(), 2);
    EXPECT_EQ(wide.network.internalSize(), 32);
    EXPECT_TRUE(wide.optimizer.empty());
    EXPECT_EQ(wide.step, 0);
    VelocityUNet big(wide.network);
    assignNamedTensors(*big, wide.ema, "widened EMA");
    big->eval();
    EXPECT_TRUE(wide.network.pixel_skip());
    // wider first and last convolutions, and the per-pixel skip's gain (32 -> 1)
    EXPECT_EQ(big->parameterCount(),
              small->parameterCount() + (2 * 4 - 2) * 8 * 9 + 3 * (8 * 9 + 1) + 32 + 1);

    torch::NoGradGuard noGrad;
    const auto coarse = torch::randn({3, 1, 32, 32});
    const auto xt = coarse.repeat_interleave(2, 2).repeat_interleave(2, 3);  // block-constant
    const auto image = torch::rand({3, 1, 64, 64});                          // detail within blocks
    const auto t = torch::tensor({0.1F, 0.5F, 0.9F});
    const auto expected = small(coarse, torch::avg_pool2d(image, 2), t)
                              .repeat_interleave(2, 2)
                              .repeat_interleave(2, 3);
    const auto got = big(xt, image, t);
    ASSERT_EQ(got.sizes(), xt.sizes());
    EXPECT_GT(expected.abs().max().item<double>(), 1e-3);
    EXPECT_LT((got - expected).abs().max().item<double>(), 1e-5);

    // The widened network reads every pixel of the noisy mask, not one per block.
    const auto rough = xt + 0.5 * torch::randn_like(xt);
    EXPECT_GT((big(rough, image, t) - got).abs().max().item<double>(), 1e-4);

    // Once trained, the skip's gain a(t) adds a(t) * x_t at every pixel.
    auto skipped = wide;
    skipped.ema.at("pixel_skip.bias").fill_(-2.0F);
    VelocityUNet withGain(skipped.network);
    assignNamedTensors(*withGain, skipped.ema, "widened EMA with a gain");
    withGain->eval();
    EXPECT_LT((withGain(rough, image, t) - (big(rough, image, t) - 2.0 * rough))
                  .abs()
                  .max()
                  .item<double>(),
              1e-5);

    EXPECT_THROW(widenToPatch(source, 1), InvalidInput);
    EXPECT_THROW(widenToPatch(wide, 2), InvalidInput);
}

TEST(WidenToPatch, PatchSizeTravelsInTheHeaderAndOldHeadersMeanNone) {
    const auto plain = VelocityUNetOptions::preset("small");
    EXPECT_EQ(plain.patch_size(), 1);
    EXPECT_EQ(plain.toJson().find("patch_size"),
              std::string::npos);  // old files keep their exact header
    EXPECT_EQ(plain.toJson().find("pixel_skip"), std::string::npos);
    EXPECT_TRUE(VelocityUNetOptions::fromJson(plain.toJson().substr(0, plain.toJson().size() - 1) +
                                              ",\"pixel_skip\":true}")
                    .pixel_skip());
    auto patched = VelocityUNetOptions::preset("small").image_size(128).patch_size(2);
    const auto back = VelocityUNetOptions::fromJson(patched.toJson());
    EXPECT_EQ(back.patch_size(), 2);
    EXPECT_TRUE(back == patched);
    EXPECT_FALSE(back == VelocityUNetOptions::preset("small").image_size(128));
    EXPECT_THROW(VelocityUNetOptions::preset("small").image_size(100).patch_size(3).validate(),
                 InvalidInput);
    EXPECT_THROW(VelocityUNetOptions::preset("small").image_size(96).patch_size(0).validate(),
                 InvalidInput);
    // 36 / 2 = 18 is not divisible by 4 (three levels)
    EXPECT_THROW(VelocityUNetOptions::preset("small").image_size(36).patch_size(2).validate(),
                 InvalidInput);
}

#ifdef FLOWSEG_CHECKPOINT_WRITER
// Guard rail of fine-tuning: a process killed while it saves never leaves a
// half-written model where the app would load it (write, check, then rename).
TEST_F(CheckpointFile, AKillDuringSavingNeverLeavesAHalfWrittenModel) {
    const auto target = path("model.fsm");
    std::set<std::string> written;
    for (int round = 0; round < 6; ++round) {
        int out[2];
        ASSERT_EQ(::pipe(out), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {  // exec at once: nothing of this process runs in the child
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::execl(FLOWSEG_CHECKPOINT_WRITER, FLOWSEG_CHECKPOINT_WRITER, target.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        FILE* lines = ::fdopen(out[0], "r");
        char line[256];
        // Let it save a few times (2 + round), then kill it part-way through the next.
        for (int saved = 0; saved < 2 + round && std::fgets(line, sizeof line, lines); ++saved)
            written.insert(std::string(line).substr(6, 64));
        std::this_thread::sleep_for(std::chrono::milliseconds(3 * round));
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        std::fclose(lines);
        const auto loaded = loadCheckpoint(target);  // throws on a half-written file
        EXPECT_TRUE(written.count(loaded.sha256) > 0) << "round " << round << ": " << loaded.sha256;
    }
    EXPECT_EQ(written.size(), 2U);
}
#endif
