// The `flowseg` command line end to end, and its behaviour on bad input: a
// one-line "flowseg: error: ..." and a non-zero exit, never a crash.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <iterator>
#include <sstream>
#include <sys/wait.h>

#include "engine/checkpoint_fixtures.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/solver.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/imaging/folder_dataset.h"
#include "flowseg/imaging/image_io.h"
#ifdef FLOWSEG_HAVE_DICOM
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/seg.h"
#endif

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
        const auto lesion = flowseg::engine::SyntheticLesion::fromJson(
            flowseg::test::readFileBytes(path("data/" + c["id"].get<std::string>() + "/lesion.json")));
        EXPECT_EQ(c["lesion_kind"] == "faint", lesion.contrast < 0.2) << c["id"];
        // The experts' mean area and empty fraction, recounted from their mask files.
        double area = 0;
        double empty = 0;
        int experts = 0;
        for (const auto& entry : fs::directory_iterator(path("data/" + c["id"].get<std::string>()))) {
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

TEST_F(Cli, MissingModelFileIsAOneLineError) {
    expectOneLineError(run("sample --model " + path("nope.fsm") + " --image " +
                           path("data/case_0/image.png") + " --out " + path("x")),
                       "nope.fsm");
}

TEST_F(Cli, WithoutModelTheShippedOneIsUsedAndAMisnamedOneIsAnError) {
    // FLOWSEG_MODEL stands in for the shipped model (the lookup the window uses).
    const std::string sample = "sample --image " + path("data/case_0/image.png") + " --solver euler --steps 1 --m 2";
    setenv("FLOWSEG_MODEL", modelPath().c_str(), 1);
    const auto ok = run(sample + " --out " + path("default-model"));
    setenv("FLOWSEG_MODEL", path("gone.fsm").c_str(), 1);
    const auto misnamed = run(sample + " --out " + path("misnamed"));
    unsetenv("FLOWSEG_MODEL");
    ASSERT_EQ(ok.exitCode, 0) << ok.err;
    EXPECT_NE(flowseg::test::readFileBytes(path("default-model/summary.json")).find("tiny.fsm"), std::string::npos);
    expectOneLineError(misnamed, "gone.fsm");
}

TEST_F(Cli, WrongImageSizeIsAOneLineError) {
    flowseg::imaging::writeGray8(path("big.png"), flowseg::engine::ImageF(48, 40, 0.2F));
    expectOneLineError(run("sample --model " + modelPath() + " --image " + path("big.png") +
                           " --out " + path("y") + " --device cpu"),
                       "expects 32x32");
}

TEST_F(Cli, CropsTwiceTheModelSideAreBoxAveragedAndMasksComeBackFullSize) {
    // Public multi-rater crops are 128 px; a 64-px model reads them as 2x2 averages.
    const auto synth = run("synth --out " + path("data64") + " --cases 2 --size 64 --raters 3 --seed 9 --json");
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
    const auto sample = run("sample --model " + modelPath() + " --image " + path("data64/case_0/image.png") +
                            " --out " + path("sampled64") + " --m 3 --solver euler --steps 2 --device cpu --json");
    ASSERT_EQ(sample.exitCode, 0) << sample.err;
    EXPECT_EQ(nlohmann::json::parse(sample.out)["fit_factor"], 2);
    EXPECT_EQ(flowseg::imaging::readMask(path("sampled64/sample_00.png")).width, 64);
    EXPECT_EQ(flowseg::imaging::readGrayImage(path("sampled64/probability.png")).width, 64);
    const auto eval = run("eval --model " + modelPath() + " --data " + path("data64") +
                          " --m 3 --solver euler --steps 2 --device cpu --json");
    ASSERT_EQ(eval.exitCode, 0) << eval.err;
    EXPECT_EQ(nlohmann::json::parse(eval.out)["cases"].size(), 2U);
    flowseg::imaging::writeGray8(path("odd.png"), flowseg::engine::ImageF(48, 48, 0.2F));
    expectOneLineError(run("sample --model " + modelPath() + " --image " + path("odd.png") + " --out " +
                           path("z") + " --device cpu"),
                       "whole multiple");
}

TEST_F(Cli, TrainsOnSyntheticCasesDrawnInMemory) {
    // What a GPU box without image I/O trains on.
    const auto train = run("train --synthetic 4 --synthetic-size 32 --synthetic-raters 2 --synthetic-seed 3 --out " +
                           path("mem.fsm") + " --preset tiny --iters 2 --batch 2 --device cpu --json");
    ASSERT_EQ(train.exitCode, 0) << train.err;
    EXPECT_TRUE(nlohmann::json::parse(train.out)["completed"].get<bool>());
    const auto info = run("sample --model " + path("mem.fsm") + " --image " + path("data/case_0/image.png") +
                          " --out " + path("mem-sampled") + " --m 2 --solver euler --steps 1 --device cpu --json");
    EXPECT_EQ(info.exitCode, 0) << info.err;  // a 32-px model, as asked
    const auto neither = run("train --out " + path("none.fsm") + " --preset tiny --iters 1");
    EXPECT_NE(neither.exitCode, 0);
    EXPECT_NE(neither.err.find("--data or --synthetic"), std::string::npos) << neither.err;
    const auto both = run("train --data " + path("data") + " --synthetic 2 --out " + path("none.fsm"));
    EXPECT_NE(both.exitCode, 0);
    EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

#ifdef FLOWSEG_HAVE_DICOM
TEST_F(Cli, TrainWithDbRecordsAVersionThatModelsCanMakeActive) {
    const std::string db = " --db " + path("versions.flowseg");
    const auto train = run("train --data " + path("data") + " --init " + modelPath() + " --out " + path("v2.fsm") +
                           " --iters 2 --batch 2 --device cpu" + db);
    ASSERT_EQ(train.exitCode, 0) << train.err;
    EXPECT_NE(train.err.find("recorded as model version 2"), std::string::npos) << train.err;
    auto listed = nlohmann::json::parse(run("models --json" + db).out);
    ASSERT_EQ(listed.size(), 2U);  // the --init parent and the new version
    EXPECT_EQ(listed[1]["parent"], listed[0]["id"]);
    EXPECT_EQ(listed[1]["active"], false);
    EXPECT_NE(listed[1]["label"].get<std::string>().find("trained v2.fsm"), std::string::npos) << listed[1];
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
                auto c = flowseg::engine::generateSyntheticCase({32, 4, static_cast<std::uint64_t>(p)}, n * 2 + k).data;
                c.id = "P" + std::to_string(p) + "_nodule-" + std::to_string(n) + "_slice-" + std::to_string(k);
                flowseg::imaging::writeFolderCase(data, c);
            }
    std::ofstream(path("split.tsv")) << "# test split\nP0\ttrain\nP1\ttrain\nP2\tval\n";
    const auto train = run("train --data " + data + " --split " + path("split.tsv") + " --part train --out " +
                           path("split.fsm") + " --preset tiny --patch 2 --base-channels 4 --iters 2 --batch 2 "
                           "--intensity-jitter 0.1 --device cpu --json");
    ASSERT_EQ(train.exitCode, 0) << train.err;
    const auto model = flowseg::engine::Model::load(path("split.fsm"), "cpu");
    EXPECT_NE(model->provenance().dataset.find("part train"), std::string::npos) << model->provenance().dataset;
    EXPECT_NE(model->provenance().dataset.find("8 cases"), std::string::npos) << model->provenance().dataset;
    EXPECT_EQ(model->options().patch_size(), 2);
    EXPECT_EQ(model->options().base_channels(), 4);
    EXPECT_TRUE(model->options().pixel_skip());

    const auto eval = run("eval --model " + path("split.fsm") + " --data " + data + " --split " + path("split.tsv") +
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
    for (const auto& [marking, group] : report["by_experts_marking"].items()) grouped += group["cases"].get<int>();
    EXPECT_EQ(grouped, 2);

    expectOneLineError(run("eval --model " + path("split.fsm") + " --data " + data + " --part val"), "--split");
    expectOneLineError(run("eval --model " + path("split.fsm") + " --data " + data + " --split " + path("split.tsv") +
                           " --part test"),
                       "part 'test'");
    expectOneLineError(run("train --init " + path("split.fsm") + " --data " + data + " --patch 2 --out " +
                           path("none.fsm") + " --iters 1"),
                       "--patch");
}

#if defined(FLOWSEG_HAVE_REPORT)
namespace {
std::string commandOutput(const std::string& command) {
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
        ::pclose(pipe);
    }
    return out;
}
}  // namespace

TEST_F(Cli, ReportOfTheRealDemoIsTextTraceableAndDeidentifiedWithExportsOthersRead) {
    // The real LIDC demo: its four readers imported, its lesion sampled with the
    // shipped model, then the report and the exports.
    const auto dir = path("report");
    fs::create_directories(dir);
    const auto r = run("report --demo --out " + dir + "/report.pdf --exports " + dir + "/exports --json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    ASSERT_EQ(summary["lesions"].size(), 1U);
    const auto& lesion = summary["lesions"][0];
    EXPECT_EQ(lesion["reproduced"], true) << "re-running the stored run gives its masks again";
    const std::string checksum = lesion["model"]["sha256"];
    const auto text = commandOutput("pdftotext -layout '" + dir + "/report.pdf' -");
    EXPECT_NE(text.find("Lesion " + std::to_string(lesion["lesion"]["id"].get<int>())), std::string::npos);
    EXPECT_NE(text.find("GED between the experts"), std::string::npos);
    EXPECT_NE(text.find(checksum), std::string::npos) << "the model's checksum is in the report";
    EXPECT_NE(text.find("LIDC reader 4"), std::string::npos);
    EXPECT_NE(text.find("de-identified"), std::string::npos);
    EXPECT_EQ(text.find("LIDC-IDRI-0004"), std::string::npos) << "the patient's name or ID is in a de-identified report";
    // Every page renders.
    const auto pages = std::stoi(commandOutput("pdfinfo '" + dir + "/report.pdf' | awk '/^Pages:/{print $2}'"));
    EXPECT_GE(pages, 2);
    ASSERT_EQ(std::system(("pdftoppm -r 20 -png '" + dir + "/report.pdf' '" + dir + "/page'").c_str()), 0);
    int rendered = 0;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().rfind("page", 0) == 0 && fs::file_size(entry.path()) > 500) ++rendered;
    EXPECT_EQ(rendered, pages);
    // The exported SEG opens with DCMTK's own tool and reads back through our reader
    // with the masks of the experts' PNGs.
    const auto lesionDir = fs::path(dir) / "exports" / ("lesion_" + std::to_string(lesion["lesion"]["id"].get<int>()));
    EXPECT_EQ(std::system(("dcmdump '" + (lesionDir / "experts.seg.dcm").string() + "' > /dev/null").c_str()), 0);
    const auto dump = commandOutput("dcmdump '" + (lesionDir / "experts.seg.dcm").string() + "'");
    EXPECT_NE(dump.find("PatientIdentityRemoved"), std::string::npos);
    EXPECT_EQ(dump.find("LIDC-IDRI-0004"), std::string::npos) << "the exported SEG names the patient";
    const auto seg = flowseg::dicom::readSeg((lesionDir / "experts.seg.dcm").string());
    ASSERT_EQ(seg.segments.size(), 4U);
    auto load = flowseg::dicom::loadFolder((fs::path(FLOWSEG_BIN).parent_path() / ".." / "share" / "flowseg" /
                                            "demo-lidc" / "ct").string());
    ASSERT_EQ(load.series.size(), 1U);
    const auto& series = load.series.front();
    int compared = 0;
    for (const auto& segment : seg.segments)
        for (const auto& [sop, mask] : segment.masks) {
            const auto slice = std::find(series.sopUids.begin(), series.sopUids.end(), sop) - series.sopUids.begin();
            const auto png = lesionDir / "experts" /
                             (std::string(segment.label).replace(segment.label.find(' '), 1, "_").replace(
                                  segment.label.rfind(' '), 1, "_") +
                              "_slice" + std::to_string(slice) + ".png");
            if (!fs::exists(png)) continue;
            EXPECT_EQ(mask, flowseg::imaging::readMask(png.string())) << png;
            ++compared;
        }
    EXPECT_GE(compared, 16);
    // The NIfTI volumes carry the series' geometry: size and voxel spacing.
    const auto header = commandOutput("python3 -c \"import gzip,struct,sys;h=gzip.open(sys.argv[1]).read(348);"
                                      "print(*struct.unpack('<8h',h[40:56]),*struct.unpack('<8f',h[76:108]))\" '" +
                                      (lesionDir / "experts.nii.gz").string() + "'");
    std::istringstream fields(header);
    std::vector<double> v{std::istream_iterator<double>(fields), std::istream_iterator<double>()};
    ASSERT_EQ(v.size(), 16U) << header;
    EXPECT_EQ(v[0], 4);  // 3D volumes, one per expert along the 4th axis
    EXPECT_EQ(v[1], series.width);
    EXPECT_EQ(v[2], series.height);
    EXPECT_EQ(v[3], series.depth);
    EXPECT_EQ(v[4], 4);
    EXPECT_NEAR(v[9], series.geometry.columnSpacing, 1e-6);
    EXPECT_NEAR(v[10], series.geometry.rowSpacing, 1e-6);
    EXPECT_NEAR(v[11], series.geometry.sliceSpacing, 1e-6);
    // Identified on request: the patient is named.
    const auto identified = run("report --db " + dir + "/demo-report.flowseg --study " + series.studyUid + " --out " +
                                dir + "/identified.pdf --identified --no-rerun");
    ASSERT_EQ(identified.exitCode, 0) << identified.err;
    EXPECT_NE(commandOutput("pdftotext '" + dir + "/identified.pdf' -").find("LIDC-IDRI-0004"), std::string::npos);
    expectOneLineError(run("report --db " + dir + "/demo-report.flowseg --study 1.2.3 --out " + dir + "/none.pdf"),
                       "holds no study 1.2.3");
}
#endif

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

#ifdef FLOWSEG_HAVE_DB
TEST_F(Cli, StoreCanBeScriptedAndAudited) {
    const std::string db = " --db " + path("store.db");
    ASSERT_EQ(run("db" + db + " init").exitCode, 0);
    // A real CT header from Debian's python3-pydicom test files, when installed.
    const std::string pydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm";
    fs::create_directories(path("dicom"));
    std::int64_t series = 0;
    if (fs::exists(pydicom)) {
        fs::copy_file(pydicom, path("dicom/ct.dcm"), fs::copy_options::overwrite_existing);
        flowseg::test::writeFileBytes(path("dicom/notes.txt"), "not dicom");
        const auto imported = run("db" + db + " --json import-study " + path("dicom"));
        ASSERT_EQ(imported.exitCode, 0) << imported.err;
        const auto summary = nlohmann::json::parse(imported.out);
        EXPECT_EQ(summary["studies"], 1);
        EXPECT_EQ(summary["images"], 1);
        EXPECT_EQ(summary["skipped"].size(), 1U);
        series = 1;
    } else {
        GTEST_SKIP() << "python3-pydicom test files are not installed";
    }
    ASSERT_EQ(run("db" + db + " add-lesion --series " + std::to_string(series) + " --slice 0 --box 10 10 32 32").exitCode, 0);
    for (const auto* mask : {"data/case_0/mask_00.png", "data/case_0/mask_01.png"}) {
        const auto saved = run("db" + db + " annotate --lesion 1 --expert Reader1 --slice 0 --mask " + path(mask));
        ASSERT_EQ(saved.exitCode, 0) << saved.err;
    }
    ASSERT_EQ(run("db" + db + " set-state --lesion 1 completed").exitCode, 0);
    const auto listed = run("db" + db + " --json list");
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    const auto lesion = nlohmann::json::parse(listed.out)[0]["series"][0]["lesions"][0];
    EXPECT_EQ(lesion["review_state"], "completed");
    EXPECT_EQ(lesion["annotations"], 1);  // one expert, latest version only

    ASSERT_EQ(run("db" + db + " export-annotations --out " + path("export")).exitCode, 0);
    const auto index = nlohmann::json::parse(flowseg::test::readFileBytes(path("export/annotations.json")));
    ASSERT_EQ(index.size(), 1U);
    EXPECT_EQ(index[0]["version"], 2);
    EXPECT_EQ(flowseg::imaging::readMask(path("export/") + index[0]["file"].get<std::string>()),
              flowseg::imaging::readMask(path("data/case_0/mask_01.png")));

    ASSERT_EQ(run("db" + db + " check").exitCode, 0);
    ASSERT_EQ(run("db" + db + " backup --out " + path("store-backup.db")).exitCode, 0);
    expectOneLineError(run("db" + db + " backup --out " + path("store-backup.db")), "already exists");
    ASSERT_EQ(run("db" + db + " restore --from " + path("store-backup.db")).exitCode, 0);
#ifdef FLOWSEG_HAVE_DICOM
    // One expert's lesion is not enough to fine-tune on: the user learns how many more.
    expectOneLineError(run("finetune" + db + " --model " + modelPath() + " --steps 5"), "the store has 0 (4 more)");
    const auto models = run("models" + db);
    ASSERT_EQ(models.exitCode, 0) << models.err;
    EXPECT_NE(models.out.find("no model version"), std::string::npos) << "a refused fine-tune wrote to the store: " << models.out;
#endif

    flowseg::test::writeFileBytes(path("foreign.db"), "SQLite format 3 but not really");
    expectOneLineError(run("db --db " + path("foreign.db") + " list"), "foreign.db");
    expectOneLineError(run("db --db " + path("absent.db") + " list"), "no such file");
}
#endif

#ifdef FLOWSEG_HAVE_DICOM
TEST_F(Cli, DicomInfoHashesLosslessVariantsEquallyAndNamesFailures) {
    const std::string pydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
    if (!fs::exists(pydicom + "MR_small.dcm")) GTEST_SKIP() << "python3-pydicom test files are not installed";
    const auto info = run("dicom-info --json " + pydicom + "MR_small.dcm " + pydicom + "MR_small_RLE.dcm " + pydicom +
                          "MR_small_jp2klossless.dcm");
    ASSERT_EQ(info.exitCode, 0) << info.err;
    const auto files = nlohmann::json::parse(info.out)["files"];
    ASSERT_EQ(files.size(), 3U);
    EXPECT_EQ(files[0]["pixel_sha256"], files[1]["pixel_sha256"]);
    EXPECT_EQ(files[0]["pixel_sha256"], files[2]["pixel_sha256"]);
    EXPECT_EQ(files[0]["rows"], 64);
    expectOneLineError(run("dicom-info " + pydicom + "MR_truncated.dcm"), "MR_truncated.dcm");
}

TEST_F(Cli, DemoStudyAndLidcImportWithSeg) {
    ASSERT_EQ(run("demo-study --out " + path("demo")).exitCode, 0);
    const auto info = nlohmann::json::parse(run("dicom-info --json " + path("demo")).out);
    ASSERT_EQ(info["series"].size(), 1U);
    EXPECT_EQ(info["series"][0]["slices"], 40);
    expectOneLineError(run("demo-study --out " + path("demo")), "not empty");
    // An LIDC XML naming two of the demo's slices by SOP Instance UID.
    const auto load = flowseg::dicom::loadFolder(path("demo"));
    const auto& sops = load.series.at(0).sopUids;
    std::string xml = "<LidcReadMessage><ResponseHeader><SeriesInstanceUid>" + load.series[0].seriesUid +
                      "</SeriesInstanceUid></ResponseHeader>";
    for (int reader = 0; reader < 2; ++reader) {
        xml += "<readingSession><unblindedReadNodule><noduleID>N1</noduleID>";
        for (int slice : {14, 15}) {
            xml += "<roi><imageSOP_UID>" + sops[static_cast<size_t>(slice)] + "</imageSOP_UID><inclusion>TRUE</inclusion>";
            for (const auto& [x, y] : std::vector<std::pair<int, int>>{{76, 106}, {84 + reader, 106}, {84 + reader, 114}, {76, 114}})
                xml += "<edgeMap><xCoord>" + std::to_string(x) + "</xCoord><yCoord>" + std::to_string(y) + "</yCoord></edgeMap>";
            xml += "</roi>";
        }
        xml += "</unblindedReadNodule></readingSession>";
    }
    xml += "</LidcReadMessage>";
    flowseg::test::writeFileBytes(path("lidc.xml"), xml);
    const auto imported = run("lidc-import --json --xml " + path("lidc.xml") + " --series " + path("demo") + " --out " +
                              path("lidc") + " --seg " + path("lidc.seg.dcm"));
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    EXPECT_EQ(nlohmann::json::parse(imported.out)["masks"], 4);
    EXPECT_TRUE(fs::exists(path("lidc.seg.dcm")));
    // Reader 2's outline has corners (76,106) (85,106) (85,114) (76,114): pixel centres
    // inside are x 76..84, y 106..113 (72), plus the three corners not among them.
    EXPECT_EQ(flowseg::imaging::readMask(path("lidc/reader2_N1_slice014.png")).area(), 75);
    EXPECT_LT(flowseg::imaging::readMask(path("lidc/reader1_N1_slice014.png")).area(), 75);
    expectOneLineError(run("lidc-import --xml " + path("nope.xml") + " --series " + path("demo") + " --out " + path("x")),
                       "nope.xml");
}

TEST_F(Cli, UnreachablePacsIsAOneLineError) {
    expectOneLineError(run("pacs --port 1 --timeout 2 echo"), "does not answer");
}
#endif

TEST_F(Cli, BenchJsonNamesTheCheapestSettingAtGedParityAndPlots) {
    const auto fast = flowseg::engine::SamplingOptions::fastDefault();
    std::ostringstream fastSetting;
    fastSetting << flowseg::engine::solverName(fast.solver) << ":" << fast.steps << ":w" << fast.guidance;
    const auto bench = run("bench --model " + modelPath() + " --settings paper=midpoint:100,fast=" + fastSetting.str() +
                           ",euler:2,euler:5,heun:3:w2 --m 4 --eval-data " + path("data") +
                           " --train-presets tiny --train-batch 4 --train-steps 1 --device cpu --json");
    ASSERT_EQ(bench.exitCode, 0) << bench.err;
    const auto d = nlohmann::json::parse(bench.out);
    EXPECT_GT(d["matmul_gflops"].get<double>(), 0.0);
    EXPECT_EQ(d["paper"], "paper");
    EXPECT_EQ(d["default"], "fast");
    ASSERT_EQ(d["settings"].size(), 5U);
    double paperGed = -1;
    for (const auto& s : d["settings"]) {
        for (const auto* key : {"name", "solver", "steps", "passes_per_case", "seconds_per_case", "gflops", "ged"})
            EXPECT_TRUE(s.contains(key)) << key;
        EXPECT_GT(s["seconds_per_case"].get<double>(), 0.0);
        EXPECT_GT(s["gflops"].get<double>(), 0.0);
        EXPECT_NEAR(s["fraction_of_matmul"].get<double>(), s["gflops"].get<double>() / d["matmul_gflops"].get<double>(), 1e-9);
        EXPECT_DOUBLE_EQ(s["guidance"].get<double>(), s["name"] == "heun-3-w2" ? 2.0 : s["name"] == "fast" ? fast.guidance : 0.3);
        if (s["name"] == "paper") {
            paperGed = s["ged"].get<double>();
            EXPECT_EQ(s["passes_per_case"].get<double>(), 200 * 2 * 4);  // 200 evaluations x 2 branches x M
        }
    }
    // The parity rule, checked against the rows: fewest passes among GEDs within 0.01 of the paper's.
    ASSERT_GE(paperGed, 0.0);
    std::string cheapest;
    double fewest = 1e300;
    for (const auto& s : d["settings"])
        if (std::abs(s["ged"].get<double>() - paperGed) <= 0.01 && s["passes_per_case"].get<double>() < fewest) {
            fewest = s["passes_per_case"].get<double>();
            cheapest = s["name"].get<std::string>();
        }
    EXPECT_EQ(d["parity"]["cheapest"], cheapest);
    EXPECT_DOUBLE_EQ(d["parity"]["passes_saving"].get<double>(), 1600.0 / fewest);
    ASSERT_EQ(d["train"].size(), 1U);
    EXPECT_EQ(d["train"][0]["preset"], "tiny");
    EXPECT_GT(d["train"][0]["iterations_per_second"].get<double>(), 0.0);

    expectOneLineError(run("bench --model " + modelPath() + " --settings euler:3:x2 --train-presets '' --device cpu"),
                       "solver:steps:wG");

#ifdef FLOWSEG_PLOT_BIN
    std::ofstream(path("bench.json")) << bench.out;
    const auto plot = [](const std::string& arguments) {
        const std::string command = std::string(FLOWSEG_PLOT_BIN) + " " + arguments + " > /dev/null 2> " + path("plot.err");
        const int status = std::system(command.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    };
    ASSERT_EQ(plot(path("bench.json") + " " + path("sweep.png")), 0) << flowseg::test::readFileBytes(path("plot.err"));
    const auto png = flowseg::imaging::readGrayImage(path("sweep.png"));
    EXPECT_EQ(png.width, 1400);
    EXPECT_EQ(png.height, 640);
    const auto dark = std::count_if(png.pixels.begin(), png.pixels.end(), [](float v) { return v < 0.5F; });
    EXPECT_GT(dark, 2000);                                         // axes, points, text
    EXPECT_LT(dark, static_cast<long>(png.pixels.size() / 4));     // on a white page
    std::ofstream(path("not-bench.json")) << "{\"hello\": 1}";
    EXPECT_EQ(plot(path("not-bench.json") + " " + path("x.png")), 1);
    EXPECT_NE(flowseg::test::readFileBytes(path("plot.err")).find("no \"settings\""), std::string::npos);
    EXPECT_FALSE(fs::exists(path("x.png")));
#endif
}
