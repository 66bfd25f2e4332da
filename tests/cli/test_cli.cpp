// The `flowseg` command line end to end (synth, train, sample, eval, bench), and
// its behaviour on bad input: a one-line "flowseg: error: ..." and a non-zero
// exit, never a crash. Studies, store, report and DICOM: test_cli_studies.cpp.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_fixture.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/solver.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/imaging/folder_dataset.h"
#include "flowseg/imaging/image_io.h"

using flowseg::test::Cli;
namespace fs = std::filesystem;

TEST_F(Cli, SynthTrainSampleEvalRunEndToEnd) {
    const auto sample = run("sample --model " + modelPath() + " --image " +
                            path("data/case_0/image.png") + " --out " + path("sampled") +
                            " --m 4 --solver heun --steps 3 --trajectory 1 --device cpu --json");
    ASSERT_EQ(sample.exitCode, 0) << sample.err;
    const auto summary = nlohmann::json::parse(sample.out);
    EXPECT_EQ(summary["samples"], 4);
    EXPECT_EQ(summary["network_passes"], 3 * 2 * 2 * 4);
    for (const auto* name :
         {"sample_00.png", "sample_03.png", "probability.png", "variance.png", "entropy.png",
          "heatmap.png", "overlay.png", "trajectory/step_0000.png", "trajectory/step_0003.png"})
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
    // Synthetic cases are also reported by lesion kind; the kinds partition the cases
    // and their case-weighted GED is the overall mean.
    const auto& byKind = report["by_lesion_kind"];
    ASSERT_FALSE(byKind.empty());
    int counted = 0;
    double weightedGed = 0;
    for (const auto& [kind, m] : byKind.items()) {
        EXPECT_TRUE(kind == "faint" || kind == "solid") << kind;
        counted += m["cases"].get<int>();
        weightedGed += m["cases"].get<int>() * m["ged"].get<double>();
        EXPECT_TRUE(m.contains("oracle_ged")) << kind;
    }
    EXPECT_EQ(counted, 6);
    EXPECT_NEAR(weightedGed / 6, report["mean"]["ged"].get<double>(), 1e-9);
    for (const auto& c : report["cases"]) {
        ASSERT_TRUE(c.contains("lesion_kind"));
        const auto lesion = flowseg::engine::SyntheticLesion::fromJson(flowseg::test::readFileBytes(
            path("data/" + c["id"].get<std::string>() + "/lesion.json")));
        EXPECT_EQ(c["lesion_kind"] == "faint", lesion.contrast < 0.2) << c["id"];
        // The experts' mean area and empty fraction, recounted from their mask files.
        double area = 0;
        double empty = 0;
        int experts = 0;
        for (const auto& entry :
             fs::directory_iterator(path("data/" + c["id"].get<std::string>()))) {
            if (entry.path().filename().string().rfind("mask", 0) != 0) continue;
            const auto a = flowseg::imaging::readMask(entry.path().string()).area();
            area += static_cast<double>(a);
            empty += a == 0 ? 1 : 0;
            ++experts;
        }
        ASSERT_GT(experts, 0);
        EXPECT_NEAR(c["expert_area"].get<double>(), area / experts, 1e-9) << c["id"];
        EXPECT_NEAR(c["expert_empty_fraction"].get<double>(), empty / experts, 1e-9) << c["id"];
        EXPECT_GE(c["sample_empty_fraction"].get<double>(), 0.0);
        EXPECT_LE(c["sample_empty_fraction"].get<double>(), 1.0);
        EXPECT_GE(c["sample_area"].get<double>(), 0.0);
    }
}

TEST_F(Cli, WithoutModelTheShippedOneIsUsedAndAMisnamedOneIsAnError) {
    // FLOWSEG_MODEL stands in for the shipped model (the lookup the window uses).
    const std::string sample =
        "sample --image " + path("data/case_0/image.png") + " --solver euler --steps 1 --m 2";
    setenv("FLOWSEG_MODEL", modelPath().c_str(), 1);
    const auto ok = run(sample + " --out " + path("default-model"));
    setenv("FLOWSEG_MODEL", path("gone.fsm").c_str(), 1);
    const auto misnamed = run(sample + " --out " + path("misnamed"));
    unsetenv("FLOWSEG_MODEL");
    ASSERT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_NE(flowseg::test::readFileBytes(path("default-model/summary.json")).find("tiny.fsm"),
              std::string::npos);
    expectOneLineError(misnamed, "gone.fsm");
}

TEST_F(Cli, CropsTwiceTheModelSideAreBoxAveragedAndMasksComeBackFullSize) {
    // Public multi-rater crops are 128 px; a 64-px model reads them as 2x2 averages.
    const auto synth =
        run("synth --out " + path("data64") + " --cases 2 --size 64 --raters 3 --seed 9 --json");
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
    const auto sample =
        run("sample --model " + modelPath() + " --image " + path("data64/case_0/image.png") +
            " --out " + path("sampled64") + " --m 3 --solver euler --steps 2 --device cpu --json");
    ASSERT_EQ(sample.exitCode, 0) << sample.err;
    EXPECT_EQ(nlohmann::json::parse(sample.out)["fit_factor"], 2);
    EXPECT_EQ(flowseg::imaging::readMask(path("sampled64/sample_00.png")).width, 64);
    EXPECT_EQ(flowseg::imaging::readGrayImage(path("sampled64/probability.png")).width, 64);
    const auto eval = run("eval --model " + modelPath() + " --data " + path("data64") +
                          " --m 3 --solver euler --steps 2 --device cpu --json");
    ASSERT_EQ(eval.exitCode, 0) << eval.err;
    EXPECT_EQ(nlohmann::json::parse(eval.out)["cases"].size(), 2U);
    flowseg::imaging::writeGray8(path("odd.png"), flowseg::common::ImageF(48, 48, 0.2F));
    expectOneLineError(run("sample --model " + modelPath() + " --image " + path("odd.png") +
                           " --out " + path("z") + " --device cpu"),
                       "whole multiple");
}

TEST_F(Cli, TrainsOnSyntheticCasesDrawnInMemory) {
    // What a GPU box without image I/O trains on.
    const auto train = run(
        "train --synthetic 4 --synthetic-size 32 --synthetic-raters 2 --synthetic-seed 3 --out " +
        path("mem.fsm") + " --preset tiny --iters 2 --batch 2 --device cpu --json");
    ASSERT_EQ(train.exitCode, 0) << train.err;
    EXPECT_TRUE(nlohmann::json::parse(train.out)["completed"].get<bool>());
    const auto info = run("sample --model " + path("mem.fsm") + " --image " +
                          path("data/case_0/image.png") + " --out " + path("mem-sampled") +
                          " --m 2 --solver euler --steps 1 --device cpu --json");
    EXPECT_EQ(info.exitCode, 0) << info.err;  // a 32-px model, as asked
    const auto neither = run("train --out " + path("none.fsm") + " --preset tiny --iters 1");
    EXPECT_NE(neither.exitCode, 0);
    EXPECT_NE(neither.err.find("--data or --synthetic"), std::string::npos) << neither.err;
    const auto both =
        run("train --data " + path("data") + " --synthetic 2 --out " + path("none.fsm"));
    EXPECT_NE(both.exitCode, 0);
    EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

#ifdef FLOWSEG_HAVE_DICOM
TEST_F(Cli, TrainWithDbRecordsAVersionThatModelsCanMakeActive) {
    const std::string db = " --db " + path("versions.flowseg");
    const auto train = run("train --data " + path("data") + " --init " + modelPath() + " --out " +
                           path("v2.fsm") + " --iters 2 --batch 2 --device cpu" + db);
    ASSERT_EQ(train.exitCode, 0) << train.err;
    EXPECT_NE(train.err.find("recorded as model version 2"), std::string::npos) << train.err;
    auto listed = nlohmann::json::parse(run("models --json" + db).out);
    ASSERT_EQ(listed.size(), 2U);  // the --init parent and the new version
    EXPECT_EQ(listed[1]["parent"], listed[0]["id"]);
    EXPECT_EQ(listed[1]["active"], false);
    EXPECT_NE(listed[1]["label"].get<std::string>().find("trained v2.fsm"), std::string::npos)
        << listed[1];
    ASSERT_EQ(run("models --activate 2" + db).exitCode, 0);
    listed = nlohmann::json::parse(run("models --json" + db).out);
    EXPECT_EQ(listed[1]["active"], true);
    EXPECT_EQ(listed[0]["active"], false);
    expectOneLineError(run("models --activate 7" + db), "no model version 7");
}
#endif

TEST_F(Cli, TrainAndEvalReadOnePartOfAPatientSplit) {
    // A multi-reader set named like the LIDC crops: 3 patients, 2 nodules each,
    // 2 slices per nodule; patient P2 is the validation part.
    const auto data = path("split-data");
    for (int p = 0; p < 3; ++p)
        for (int n = 0; n < 2; ++n)
            for (int k = 0; k < 2; ++k) {
                auto c = flowseg::engine::generateSyntheticCase(
                             {32, 4, static_cast<std::uint64_t>(p)}, n * 2 + k)
                             .data;
                c.id = "P" + std::to_string(p) + "_nodule-" + std::to_string(n) + "_slice-" +
                       std::to_string(k);
                flowseg::imaging::writeFolderCase(data, c);
            }
    std::ofstream(path("split.tsv")) << "# test split\nP0\ttrain\nP1\ttrain\nP2\tval\n";
    const auto train = run("train --data " + data + " --split " + path("split.tsv") +
                           " --part train --out " + path("split.fsm") +
                           " --preset tiny --patch 2 --base-channels 4 --iters 2 --batch 2 "
                           "--intensity-jitter 0.1 --device cpu --json");
    ASSERT_EQ(train.exitCode, 0) << train.err;
    const auto model = flowseg::engine::Model::load(path("split.fsm"), "cpu");
    EXPECT_NE(model->provenance().dataset.find("part train"), std::string::npos)
        << model->provenance().dataset;
    EXPECT_NE(model->provenance().dataset.find("8 cases"), std::string::npos)
        << model->provenance().dataset;
    EXPECT_EQ(model->options().patch_size(), 2);
    EXPECT_EQ(model->options().base_channels(), 4);
    EXPECT_TRUE(model->options().pixel_skip());

    const auto eval = run(
        "eval --model " + path("split.fsm") + " --data " + data + " --split " + path("split.tsv") +
        " --part val --one-slice-per-nodule --m 4 --solver euler --steps 2 --device cpu --json");
    ASSERT_EQ(eval.exitCode, 0) << eval.err;
    const auto report = nlohmann::json::parse(eval.out);
    ASSERT_EQ(report["cases"].size(), 2U);  // P2's two nodules, one slice each
    int grouped = 0;
    for (const auto& row : report["cases"]) {
        EXPECT_EQ(row["id"].get<std::string>().rfind("P2_", 0), 0U) << row["id"];
        int marking = 0;
        const auto loaded = flowseg::imaging::loadFolderCases(data, {row["id"].get<std::string>()});
        for (const auto& m : loaded.front().data.experts) marking += m.area() > 0 ? 1 : 0;
        EXPECT_EQ(row["experts_marking"].get<int>(), marking);
    }
    for (const auto& [marking, group] : report["by_experts_marking"].items())
        grouped += group["cases"].get<int>();
    EXPECT_EQ(grouped, 2);

    expectOneLineError(run("eval --model " + path("split.fsm") + " --data " + data + " --part val"),
                       "--split");
    expectOneLineError(run("eval --model " + path("split.fsm") + " --data " + data + " --split " +
                           path("split.tsv") + " --part test"),
                       "part 'test'");
    expectOneLineError(run("train --init " + path("split.fsm") + " --data " + data +
                           " --patch 2 --out " + path("none.fsm") + " --iters 1"),
                       "--patch");
}

/// Bad input, one case per row: the command (with {model} for the shared tiny
/// model and {dir} for the test's folder), what its one-line error names, and
/// what the case needs on disk first.
struct BadInput {
    const char* name;
    const char* arguments;
    const char* mentions;
    std::function<void()> prepare;
};

TEST_F(Cli, BadInputIsAOneLineErrorThatNamesIt) {
    const std::vector<BadInput> cases = {
        {"missing model file",
         "sample --model {dir}/nope.fsm --image {dir}/data/case_0/image.png --out {dir}/x",
         "nope.fsm",
         {}},
        {"wrong image size",
         "sample --model {model} --image {dir}/big.png --out {dir}/y --device cpu", "expects 32x32",
         [] {
             flowseg::imaging::writeGray8(path("big.png"), flowseg::common::ImageF(48, 40, 0.2F));
         }},
        {"mask folder without image",
         "train --data {dir}/broken --out {dir}/z.fsm --preset tiny --iters 1", "no image",
         [] {
             fs::create_directories(path("broken/case_a"));
             flowseg::imaging::writeMask(path("broken/case_a/mask_0.png"),
                                         flowseg::common::Mask(32, 32));
         }},
        {"NaN weights", "eval --model {dir}/nan.fsm --data {dir}/data", "NaN",
         [] { flowseg::test::writeNanCheckpoint(modelPath(), path("nan.fsm")); }},
        {"corrupt image", "sample --model {model} --image {dir}/corrupt.png --out {dir}/w",
         "corrupt.png",
         [] {
             flowseg::test::writeFileBytes(path("corrupt.png"),
                                           "\x89PNG\r\n\x1a\n garbage that is not a png");
         }},
        {"unknown device", "eval --model {model} --data {dir}/data --device tpu", "tpu", {}},
        {"synth over data", "synth --out {dir}/data --cases 1", "not empty", {}},
    };
    const std::string dir = fs::path(path("x")).parent_path().string();
    const auto expand = [&dir](std::string text) {
        for (const auto& [key, value] :
             {std::pair<std::string, std::string>{"{model}", modelPath()}, {"{dir}", dir}})
            for (auto at = text.find(key); at != std::string::npos; at = text.find(key))
                text.replace(at, key.size(), value);
        return text;
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        if (c.prepare) c.prepare();
        expectOneLineError(run(expand(c.arguments)), c.mentions);
    }
    EXPECT_FALSE(fs::exists(path("z.fsm"))) << "a failed training writes no model";
}

TEST_F(Cli, BenchJsonNamesTheCheapestSettingAtGedParityAndPlots) {
    const auto fast = flowseg::engine::SamplingOptions::fastDefault();
    std::ostringstream fastSetting;
    fastSetting << flowseg::engine::solverName(fast.solver) << ":" << fast.steps << ":w"
                << fast.guidance;
    const auto bench =
        run("bench --model " + modelPath() + " --settings paper=midpoint:100,fast=" +
            fastSetting.str() + ",euler:2,euler:5,heun:3:w2 --m 4 --eval-data " + path("data") +
            " --train-presets tiny --train-batch 4 --train-steps 1 --device cpu --json");
    ASSERT_EQ(bench.exitCode, 0) << bench.err;
    const auto d = nlohmann::json::parse(bench.out);
    EXPECT_GT(d["matmul_gflops"].get<double>(), 0.0);
    EXPECT_EQ(d["paper"], "paper");
    EXPECT_EQ(d["default"], "fast");
    ASSERT_EQ(d["settings"].size(), 5U);
    double paperGed = -1;
    for (const auto& s : d["settings"]) {
        for (const auto* key :
             {"name", "solver", "steps", "passes_per_case", "seconds_per_case", "gflops", "ged"})
            EXPECT_TRUE(s.contains(key)) << key;
        EXPECT_GT(s["seconds_per_case"].get<double>(), 0.0);
        EXPECT_GT(s["gflops"].get<double>(), 0.0);
        EXPECT_NEAR(s["fraction_of_matmul"].get<double>(),
                    s["gflops"].get<double>() / d["matmul_gflops"].get<double>(), 1e-9);
        EXPECT_DOUBLE_EQ(s["guidance"].get<double>(), s["name"] == "heun-3-w2" ? 2.0
                                                      : s["name"] == "fast"    ? fast.guidance
                                                                               : 0.3);
        if (s["name"] == "paper") {
            paperGed = s["ged"].get<double>();
            EXPECT_EQ(s["passes_per_case"].get<double>(),
                      200 * 2 * 4);  // 200 evaluations x 2 branches x M
        }
    }
    // The parity rule, checked against the rows: fewest passes among GEDs within 0.01 of the
    // paper's.
    ASSERT_GE(paperGed, 0.0);
    std::string cheapest;
    double fewest = 1e300;
    for (const auto& s : d["settings"])
        if (std::abs(s["ged"].get<double>() - paperGed) <= 0.01 &&
            s["passes_per_case"].get<double>() < fewest) {
            fewest = s["passes_per_case"].get<double>();
            cheapest = s["name"].get<std::string>();
        }
    EXPECT_EQ(d["parity"]["cheapest"], cheapest);
    EXPECT_DOUBLE_EQ(d["parity"]["passes_saving"].get<double>(), 1600.0 / fewest);
    ASSERT_EQ(d["train"].size(), 1U);
    EXPECT_EQ(d["train"][0]["preset"], "tiny");
    EXPECT_GT(d["train"][0]["iterations_per_second"].get<double>(), 0.0);

    expectOneLineError(run("bench --model " + modelPath() +
                           " --settings euler:3:x2 --train-presets '' --device cpu"),
                       "solver:steps:wG");

#ifdef FLOWSEG_PLOT_BIN
    std::ofstream(path("bench.json")) << bench.out;
    const auto plot = [](const std::string& arguments) {
        const std::string command =
            std::string(FLOWSEG_PLOT_BIN) + " " + arguments + " > /dev/null 2> " + path("plot.err");
        const int status = std::system(command.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    };
    ASSERT_EQ(plot(path("bench.json") + " " + path("sweep.png")), 0)
        << flowseg::test::readFileBytes(path("plot.err"));
    const auto png = flowseg::imaging::readGrayImage(path("sweep.png"));
    EXPECT_EQ(png.width, 1400);
    EXPECT_EQ(png.height, 640);
    const auto dark =
        std::count_if(png.pixels.begin(), png.pixels.end(), [](float v) { return v < 0.5F; });
    EXPECT_GT(dark, 2000);                                      // axes, points, text
    EXPECT_LT(dark, static_cast<long>(png.pixels.size() / 4));  // on a white page
    std::ofstream(path("not-bench.json")) << "{\"hello\": 1}";
    EXPECT_EQ(plot(path("not-bench.json") + " " + path("x.png")), 1);
    EXPECT_NE(flowseg::test::readFileBytes(path("plot.err")).find("no \"settings\""),
              std::string::npos);
    EXPECT_FALSE(fs::exists(path("x.png")));
#endif
}
