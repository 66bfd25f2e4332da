// `flowseg train --volumes` and `flowseg eval --volumes`: cases named like the
// shared LIDC crops become nodules, sampled and scored over their 3-D masks.

#include <gtest/gtest.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/imaging/folder_dataset.h"
#include "flowseg/imaging/image_io.h"

using flowseg::test::Cli;

TEST_F(Cli, VolumeModelTrainsOnNodulesAndEvalScoresWholeNodules) {
    // Two patients: P0 (train) with nodules of 3 and 2 slices, P1 (val) with
    // nodules of 3 and 1 slices. Slices are listed out of order on purpose.
    const auto data = path("volume-data");
    const std::vector<std::pair<std::string, int>> nodules{
        {"P0_nodule-0", 3}, {"P0_nodule-1", 2}, {"P1_nodule-0", 3}, {"P1_nodule-1", 1}};
    int index = 0;
    for (const auto& [name, slices] : nodules)
        for (int k = slices - 1; k >= 0; --k) {
            auto c = flowseg::engine::generateSyntheticCase({32, 4, 3}, index++).data;
            c.id = name + "_slice-" + std::to_string(k);
            flowseg::imaging::writeFolderCase(data, c);
        }
    std::ofstream(path("volume-split.tsv")) << "P0\ttrain\nP1\tval\n";
    const std::string split = " --data " + data + " --split " + path("volume-split.tsv");
    // Priors as the sweep reaches each slice: from the neighbour toward the middle.
    const auto train = run("train --volumes" + split + " --part train --out " + path("volume.fsm") +
                           " --preset tiny --iters 3 --batch 4 --device cpu --priors inward "
                           "--prior-dropout 0.1 --json");
    ASSERT_EQ(train.exitCode, 0) << train.err;
    const auto wrongSide = run("train --volumes" + split + " --part train --out " +
                               path("other.fsm") + " --preset tiny --iters 1 --priors outward");
    EXPECT_NE(wrongSide.exitCode, 0);
    EXPECT_NE(wrongSide.err.find("outward"), std::string::npos) << wrongSide.err;
    EXPECT_NE(train.err.find("2 nodules"), std::string::npos) << train.err;
    EXPECT_TRUE(flowseg::engine::Model::load(path("volume.fsm"), "cpu")->options().isVolume());
    // The checkpoint says what input it expects and how far it was trained.
    const auto info = run("model-info " + path("volume.fsm") + " --json");
    ASSERT_EQ(info.exitCode, 0) << info.err;
    const auto described = nlohmann::json::parse(info.out);
    EXPECT_EQ(described["input"], "volume");
    EXPECT_EQ(described["step"].get<int>(), 3);
    EXPECT_EQ(described["network"]["image_channels"].get<int>(), 5);
    EXPECT_EQ(nlohmann::json::parse(run("model-info " + modelPath() + " --json").out)["input"],
              "slice");
    expectOneLineError(run("model-info " + path("missing.fsm")), "missing.fsm");

    const auto eval = run("eval --volumes --model " + path("volume.fsm") + split +
                          " --part val --m 5 --solver euler --steps 2 --device cpu --json");
    ASSERT_EQ(eval.exitCode, 0) << eval.err;
    const auto report = nlohmann::json::parse(eval.out);
    EXPECT_TRUE(report["coherent"].get<bool>());
    ASSERT_EQ(report["nodules"].size(), 2U);
    int slices = 0;
    for (const auto& n : report["nodules"]) {
        EXPECT_EQ(n["id"].get<std::string>().rfind("P1_", 0), 0U) << n["id"];
        EXPECT_EQ(n["slices"].get<int>(), n["id"] == "P1_nodule-0" ? 3 : 1);
        EXPECT_EQ(n["sample_volumes"].size(), 5U);
        EXPECT_EQ(n["expert_volumes"].size(), 4U);
        slices += n["slices"].get<int>();
        for (const auto* key :
             {"volume_ged", "volume_single_mask_ged", "volume_empty_ged", "ged", "volume_coverage"})
            EXPECT_TRUE(n[key].is_number()) << key;
    }
    int grouped = 0;
    for (const auto& [readers, row] : report["by_experts_marking"].items())
        grouped += row["slices"].get<int>();
    EXPECT_EQ(grouped, slices);
    EXPECT_DOUBLE_EQ(report["mean"]["slices"].get<double>(), 2.0);

    // A slice model is evaluated the same way, each slice sampled on its own.
    const auto sliceEval = run("eval --volumes --model " + modelPath() + split +
                               " --part val --m 3 --sampling default"
                               " --max-nodules 1 --device cpu --json");
    ASSERT_EQ(sliceEval.exitCode, 0) << sliceEval.err;
    const auto sliceReport = nlohmann::json::parse(sliceEval.out);
    EXPECT_FALSE(sliceReport["coherent"].get<bool>());
    EXPECT_EQ(sliceReport["nodules"].size(), 1U);
    EXPECT_NE(sliceReport["sampling"].get<std::string>().find("midpoint 8 steps"),
              std::string::npos);

    // bench times one nodule per setting the same way.
    const auto bench = run("bench --model " + path("volume.fsm") +
                           " --settings euler:2 --m 2 --nodule-slices 3 "
                           "--train-presets '' --device cpu --json");
    ASSERT_EQ(bench.exitCode, 0) << bench.err;
    const auto timed = nlohmann::json::parse(bench.out)["settings"][0];
    EXPECT_EQ(timed["passes_per_nodule"].get<int>(),
              3 * 2 * 2 * 2);  // slices x evaluations x branches x M
    EXPECT_TRUE(timed["coherent"].get<bool>());
    EXPECT_GT(timed["seconds_per_nodule"].get<double>(), 0.0);

    // "default" and "paper" alone name the app's default sampling and the paper's setting.
    const auto named = run("bench --model " + modelPath() +
                           " --settings default,paper --m 2 --train-presets '' "
                           "--device cpu --json");
    ASSERT_EQ(named.exitCode, 0) << named.err;
    const auto namedReport = nlohmann::json::parse(named.out);
    EXPECT_EQ(namedReport["default"], "default");
    EXPECT_EQ(namedReport["paper"], "paper");
    EXPECT_EQ(namedReport["settings"][0]["steps"].get<int>(),
              flowseg::engine::SamplingOptions::fastDefault().steps);
    EXPECT_EQ(namedReport["settings"][1]["steps"].get<int>(),
              flowseg::engine::SamplingOptions::paper().steps);

    expectOneLineError(run("eval --volumes --model " + path("volume.fsm") + split +
                           " --part val --one-slice-per-nodule"),
                       "--one-slice-per-nodule");
    expectOneLineError(
        run("eval --volumes --model " + path("volume.fsm") + " --data " + path("data")), "slice-");
    const auto both = run("eval --model " + modelPath() + " --data " + path("data") +
                          " --sampling paper --steps 3");
    EXPECT_NE(both.exitCode, 0);
    EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

namespace {

// d = 1 - IoU, empty with empty = 0, GED over all pairs: written out here, apart
// from engine::generalizedEnergyDistance, to check what eval reports.
double independentGed(const std::vector<flowseg::common::Mask>& a,
                      const std::vector<flowseg::common::Mask>& b) {
    const auto d = [](const flowseg::common::Mask& x, const flowseg::common::Mask& y) {
        long both = 0, either = 0;
        for (size_t i = 0; i < x.pixels.size(); ++i) {
            both += x.pixels[i] && y.pixels[i];
            either += x.pixels[i] || y.pixels[i];
        }
        return either == 0 ? 0.0 : 1.0 - static_cast<double>(both) / static_cast<double>(either);
    };
    const auto mean = [&](const auto& p, const auto& q) {
        double s = 0;
        for (const auto& x : p)
            for (const auto& y : q) s += d(x, y);
        return s / static_cast<double>(p.size() * q.size());
    };
    return 2 * mean(a, b) - mean(a, a) - mean(b, b);
}

}  // namespace

TEST_F(Cli, EvalWithGrownMasksReportsTheGrownReadersDistanceFromTheOriginals) {
    const auto eval = run("eval --model " + modelPath() + " --data " + path("data") +
                          " --grow-masks 2 --m 2 --solver euler --steps 1 --device cpu --json");
    ASSERT_EQ(eval.exitCode, 0) << eval.err;
    const auto report = nlohmann::json::parse(eval.out);
    double sum = 0;
    for (const auto& row : report["cases"]) {
        const auto loaded =
            flowseg::imaging::loadFolderCases(path("data"), {row["id"].get<std::string>()});
        const auto& original = loaded.front().data.experts;
        std::vector<flowseg::common::Mask> grown;
        for (const auto& m : original) grown.push_back(flowseg::imaging::growMask(m, 2));
        const double expected = independentGed(grown, original);
        EXPECT_NEAR(row["grown_readers_ged"].get<double>(), expected, 1e-12) << row["id"];
        sum += expected;
    }
    EXPECT_GT(sum, 0.0);  // growing moved the readers
    EXPECT_NEAR(report["mean"]["grown_readers_ged"].get<double>(),
                sum / static_cast<double>(report["cases"].size()), 1e-12);
    // Without grown masks there is nothing to compare.
    const auto plain = run("eval --model " + modelPath() + " --data " + path("data") +
                           " --m 2 --solver euler --steps 1 --device cpu --json");
    ASSERT_EQ(plain.exitCode, 0) << plain.err;
    EXPECT_FALSE(nlohmann::json::parse(plain.out)["mean"].contains("grown_readers_ged"));
}
