// Checkpoints round-trip exactly; truncated, corrupt, foreign and non-finite files
// are refused with a CheckpointError.

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "checkpoint_fixtures.h"
#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sha256.h"
#include "flowseg/engine/velocity_unet.h"

using namespace flowseg::engine;
namespace fs = std::filesystem;

namespace {

class CheckpointFile : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("flowseg_ckpt_" + std::to_string(::getpid()) + "_" +
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
    for (const auto& [name, t] : original.weights) EXPECT_TRUE(torch::equal(loaded.weights.at(name), t)) << name;
    for (const auto& [name, t] : original.ema) EXPECT_TRUE(torch::equal(loaded.ema.at(name), t)) << name;
    EXPECT_TRUE(torch::equal(loaded.optimizer.at("input_conv.weight/exp_avg"), torch::ones({2, 3})));
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
    EXPECT_EQ(sha256Hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256Hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string million(1000000, 'a');
    EXPECT_EQ(sha256Hex(million.data(), million.size()),
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
