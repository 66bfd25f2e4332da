// The `flowseg` command line end to end, and its behaviour on bad input: a
// one-line "flowseg: error: ..." and a non-zero exit, never a crash.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "engine/checkpoint_fixtures.h"
#include "flowseg/imaging/folder_dataset.h"
#include "flowseg/imaging/image_io.h"

namespace fs = std::filesystem;

namespace {

struct RunResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

class Cli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = fs::temp_directory_path() / ("flowseg_cli_" + std::to_string(::getpid()));
        fs::remove_all(s_dir);
        fs::create_directories(s_dir);
        // One tiny data set and model shared by the tests (seconds on 2 cores).
        const auto synth = run("synth --out " + (s_dir / "data").string() +
                               " --cases 6 --size 32 --raters 3 --seed 4 --json");
        ASSERT_EQ(synth.exitCode, 0) << synth.err;
        const auto train = run("train --data " + (s_dir / "data").string() + " --out " + modelPath() +
                               " --preset tiny --iters 20 --batch 4 --lr 3e-3 --seed 1 --device cpu --json");
        ASSERT_EQ(train.exitCode, 0) << train.err;
    }
    static void TearDownTestSuite() { fs::remove_all(s_dir); }

    static std::string modelPath() { return (s_dir / "tiny.fsm").string(); }
    static std::string path(const std::string& name) { return (s_dir / name).string(); }

    static RunResult run(const std::string& arguments) {
        const auto out = s_dir / "stdout.txt";
        const auto err = s_dir / "stderr.txt";
        const std::string command = std::string(FLOWSEG_BIN) + " " + arguments + " > " + out.string() +
                                    " 2> " + err.string() + " < /dev/null";
        const int status = std::system(command.c_str());
        RunResult r;
        r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r.out = flowseg::test::readFileBytes(out.string());
        r.err = flowseg::test::readFileBytes(err.string());
        return r;
    }

    static void expectOneLineError(const RunResult& r, const std::string& mentions) {
        EXPECT_NE(r.exitCode, 0);
        EXPECT_LT(r.exitCode, 128) << "crashed with a signal";
        EXPECT_EQ(r.err.rfind("flowseg: error: ", 0), 0U) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
    }

    static fs::path s_dir;
};

fs::path Cli::s_dir;

}  // namespace

TEST_F(Cli, SynthTrainSampleEvalRunEndToEnd) {
    const auto sample = run("sample --model " + modelPath() + " --image " +
                            path("data/case_0/image.png") + " --out " + path("sampled") +
                            " --m 4 --solver heun --steps 3 --trajectory 1 --device cpu --json");
    ASSERT_EQ(sample.exitCode, 0) << sample.err;
    const auto summary = nlohmann::json::parse(sample.out);
    EXPECT_EQ(summary["samples"], 4);
    EXPECT_EQ(summary["network_passes"], 3 * 2 * 2 * 4);
    for (const auto* name : {"sample_00.png", "sample_03.png", "probability.png", "variance.png",
                             "entropy.png", "heatmap.png", "overlay.png", "trajectory/step_0000.png",
                             "trajectory/step_0003.png"})
        EXPECT_TRUE(fs::exists(path("sampled/") + name)) << name;
    EXPECT_EQ(flowseg::imaging::readMask(path("sampled/sample_00.png")).width, 32);

    const auto eval = run("eval --model " + modelPath() + " --data " + path("data") +
                          " --m 4 --solver euler --steps 2 --device cpu --json");
    ASSERT_EQ(eval.exitCode, 0) << eval.err;
    const auto report = nlohmann::json::parse(eval.out);
    EXPECT_EQ(report["cases"].size(), 6U);
    for (const auto* key : {"ged", "hm_iou", "dice", "d_max", "single_mask_ged", "oracle_ged"}) {
        ASSERT_TRUE(report["mean"].contains(key)) << key;
        EXPECT_GE(report["mean"][key].get<double>(), 0.0) << key;
    }
}

TEST_F(Cli, MissingModelFileIsAOneLineError) {
    expectOneLineError(run("sample --model " + path("nope.fsm") + " --image " +
                           path("data/case_0/image.png") + " --out " + path("x")),
                       "nope.fsm");
}

TEST_F(Cli, WrongImageSizeIsAOneLineError) {
    flowseg::imaging::writeGray8(path("big.png"), flowseg::engine::ImageF(48, 40, 0.2F));
    expectOneLineError(run("sample --model " + modelPath() + " --image " + path("big.png") +
                           " --out " + path("y") + " --device cpu"),
                       "expects 32x32");
}

TEST_F(Cli, MaskFolderWithoutImageIsAOneLineError) {
    fs::create_directories(path("broken/case_a"));
    flowseg::imaging::writeMask(path("broken/case_a/mask_0.png"), flowseg::engine::Mask(32, 32));
    expectOneLineError(run("train --data " + path("broken") + " --out " + path("z.fsm") +
                           " --preset tiny --iters 1"),
                       "no image");
    EXPECT_FALSE(fs::exists(path("z.fsm")));
}

TEST_F(Cli, NanWeightsAreAOneLineError) {
    flowseg::test::writeNanCheckpoint(modelPath(), path("nan.fsm"));
    expectOneLineError(run("eval --model " + path("nan.fsm") + " --data " + path("data")), "NaN");
}

TEST_F(Cli, CorruptImageAndUnknownDeviceAreOneLineErrors) {
    flowseg::test::writeFileBytes(path("corrupt.png"), "\x89PNG\r\n\x1a\n garbage that is not a png");
    expectOneLineError(run("sample --model " + modelPath() + " --image " + path("corrupt.png") +
                           " --out " + path("w")),
                       "corrupt.png");
    expectOneLineError(run("eval --model " + modelPath() + " --data " + path("data") + " --device tpu"),
                       "tpu");
}

TEST_F(Cli, SynthRefusesToOverwriteData) {
    expectOneLineError(run("synth --out " + path("data") + " --cases 1"), "not empty");
}
