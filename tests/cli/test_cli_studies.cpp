// The `flowseg` command line on studies: the uncertainty report (PDF text,
// traceability, de-identification, the exports other tools read), the store
// scripted and audited, DICOM info and LIDC import, an unreachable PACS.

#include <gtest/gtest.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"
#include "flowseg/imaging/image_io.h"
#ifdef FLOWSEG_HAVE_DICOM
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#endif

using flowseg::test::Cli;
using flowseg::test::commandOutput;
namespace fs = std::filesystem;

#if defined(FLOWSEG_HAVE_REPORT)
TEST_F(Cli, ReportOfTheRealDemoIsTextTraceableAndDeidentifiedWithExportsOthersRead) {
    // The real LIDC demo: its four readers imported, its lesion sampled with the
    // shipped model, then the report and the exports.
    const auto dir = path("report");
    fs::create_directories(dir);
    const auto r =
        run("report --demo --out " + dir + "/report.pdf --exports " + dir + "/exports --json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    ASSERT_EQ(summary["lesions"].size(), 1U);
    const auto& lesion = summary["lesions"][0];
    EXPECT_EQ(lesion["reproduced"], true) << "re-running the stored run gives its masks again";
    const std::string checksum = lesion["model"]["sha256"];
    const auto text = commandOutput("pdftotext -layout '" + dir + "/report.pdf' -");
    EXPECT_NE(text.find("Lesion " + std::to_string(lesion["lesion"]["id"].get<int>())),
              std::string::npos);
    EXPECT_NE(text.find("GED between the experts"), std::string::npos);
    // The samples through the nodule: every slice the four readers outlined (1-5),
    // each sample's volume, and their spread in the report's measures table.
    EXPECT_NE(text.find("samples through"), std::string::npos);
    const auto metrics = nlohmann::json::parse(
        commandOutput("cat '" + dir + "/exports/lesion_" +
                      std::to_string(lesion["lesion"]["id"].get<int>()) + "/metrics.json'"));
    ASSERT_TRUE(metrics.contains("nodule")) << metrics.dump();
    EXPECT_EQ(metrics["nodule"]["first_slice"], 0);
    EXPECT_GE(metrics["nodule"]["last_slice"].get<int>(), 4);
    ASSERT_EQ(metrics["nodule"]["samples"].size(), 15U);
    std::vector<double> volumes;
    for (const auto& sample : metrics["nodule"]["samples"])
        volumes.push_back(sample["volume_mm3"].get<double>());
    std::sort(volumes.begin(), volumes.end());
    EXPECT_DOUBLE_EQ(metrics["nodule"]["volume_mm3"]["median"].get<double>(), volumes[7]);
    EXPECT_GT(volumes[7], 0) << "the median sample marks the nodule";
    EXPECT_NE(text.find(checksum), std::string::npos) << "the model's checksum is in the report";
    EXPECT_NE(text.find("LIDC reader 4"), std::string::npos);
    EXPECT_NE(text.find("de-identified"), std::string::npos);
    EXPECT_EQ(text.find("LIDC-IDRI-0004"), std::string::npos)
        << "the patient's name or ID is in a de-identified report";
    // Every page renders.
    const auto pages =
        std::stoi(commandOutput("pdfinfo '" + dir + "/report.pdf' | awk '/^Pages:/{print $2}'"));
    EXPECT_GE(pages, 2);
    ASSERT_EQ(
        std::system(("pdftoppm -r 20 -png '" + dir + "/report.pdf' '" + dir + "/page'").c_str()),
        0);
    int rendered = 0;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().rfind("page", 0) == 0 &&
            fs::file_size(entry.path()) > 500)
            ++rendered;
    EXPECT_EQ(rendered, pages);
    // The exported SEG opens with DCMTK's own tool and reads back through our reader
    // with the masks of the experts' PNGs.
    const auto lesionDir =
        fs::path(dir) / "exports" / ("lesion_" + std::to_string(lesion["lesion"]["id"].get<int>()));
    EXPECT_EQ(
        std::system(
            ("dcmdump '" + (lesionDir / "experts.seg.dcm").string() + "' > /dev/null").c_str()),
        0);
    const auto dump = commandOutput("dcmdump '" + (lesionDir / "experts.seg.dcm").string() + "'");
    EXPECT_NE(dump.find("PatientIdentityRemoved"), std::string::npos);
    EXPECT_EQ(dump.find("LIDC-IDRI-0004"), std::string::npos)
        << "the exported SEG names the patient";
    const auto seg = flowseg::dicom::readSeg((lesionDir / "experts.seg.dcm").string());
    ASSERT_EQ(seg.segments.size(), 4U);
    // The samples and the probability on every slice the nodule's samples span.
    const auto samplesSeg = flowseg::dicom::readSeg((lesionDir / "samples.seg.dcm").string());
    ASSERT_EQ(samplesSeg.segments.size(), 15U);
    EXPECT_GE(samplesSeg.segments[0].masks.size(), 5U) << "sample 1 on the nodule's slices";
    const auto probabilitySeg =
        flowseg::dicom::readSeg((lesionDir / "probability.seg.dcm").string());
    ASSERT_EQ(probabilitySeg.segments.size(), 1U);
    EXPECT_EQ(probabilitySeg.segments[0].fractions.size(), samplesSeg.segments[0].masks.size());
    auto load = flowseg::dicom::loadFolder(
        (fs::path(FLOWSEG_BIN).parent_path() / ".." / "share" / "flowseg" / "demo-lidc" / "ct")
            .string());
    ASSERT_EQ(load.series.size(), 1U);
    const auto& series = load.series.front();
    int compared = 0;
    for (const auto& segment : seg.segments)
        for (const auto& [sop, mask] : segment.masks) {
            const auto slice = std::find(series.sopUids.begin(), series.sopUids.end(), sop) -
                               series.sopUids.begin();
            const auto png = lesionDir / "experts" /
                             (std::string(segment.label)
                                  .replace(segment.label.find(' '), 1, "_")
                                  .replace(segment.label.rfind(' '), 1, "_") +
                              "_slice" + std::to_string(slice) + ".png");
            if (!fs::exists(png)) continue;
            EXPECT_EQ(mask, flowseg::imaging::readMask(png.string())) << png;
            ++compared;
        }
    EXPECT_GE(compared, 16);
    // The NIfTI volumes carry the series' geometry: size and voxel spacing.
    const auto header = commandOutput(
        "python3 -c \"import gzip,struct,sys;h=gzip.open(sys.argv[1]).read(348);"
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
    const auto identified =
        run("report --db " + dir + "/demo-report.flowseg --study " + series.studyUid + " --out " +
            dir + "/identified.pdf --identified --no-rerun");
    ASSERT_EQ(identified.exitCode, 0) << identified.err;
    EXPECT_NE(commandOutput("pdftotext '" + dir + "/identified.pdf' -").find("LIDC-IDRI-0004"),
              std::string::npos);
    expectOneLineError(
        run("report --db " + dir + "/demo-report.flowseg --study 1.2.3 --out " + dir + "/none.pdf"),
        "holds no study 1.2.3");
}
#endif

#ifdef FLOWSEG_HAVE_DB
TEST_F(Cli, StoreCanBeScriptedAndAudited) {
    const std::string db = " --db " + path("store.db");
    ASSERT_EQ(run("db" + db + " init").exitCode, 0);
    // A real CT header from Debian's python3-pydicom test files, when installed.
    const std::string pydicom =
        "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm";
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
    ASSERT_EQ(run("db" + db + " add-lesion --series " + std::to_string(series) +
                  " --slice 0 --box 10 10 32 32")
                  .exitCode,
              0);
    for (const auto* mask : {"data/case_0/mask_00.png", "data/case_0/mask_01.png"}) {
        const auto saved =
            run("db" + db + " annotate --lesion 1 --expert Reader1 --slice 0 --mask " + path(mask));
        ASSERT_EQ(saved.exitCode, 0) << saved.err;
    }
    ASSERT_EQ(run("db" + db + " set-state --lesion 1 completed").exitCode, 0);
    const auto listed = run("db" + db + " --json list");
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    const auto lesion = nlohmann::json::parse(listed.out)[0]["series"][0]["lesions"][0];
    EXPECT_EQ(lesion["review_state"], "completed");
    EXPECT_EQ(lesion["annotations"], 1);  // one expert, latest version only

    ASSERT_EQ(run("db" + db + " export-annotations --out " + path("export")).exitCode, 0);
    const auto index =
        nlohmann::json::parse(flowseg::test::readFileBytes(path("export/annotations.json")));
    ASSERT_EQ(index.size(), 1U);
    EXPECT_EQ(index[0]["version"], 2);
    EXPECT_EQ(flowseg::imaging::readMask(path("export/") + index[0]["file"].get<std::string>()),
              flowseg::imaging::readMask(path("data/case_0/mask_01.png")));

    ASSERT_EQ(run("db" + db + " check").exitCode, 0);
    ASSERT_EQ(run("db" + db + " backup --out " + path("store-backup.db")).exitCode, 0);
    expectOneLineError(run("db" + db + " backup --out " + path("store-backup.db")),
                       "already exists");
    ASSERT_EQ(run("db" + db + " restore --from " + path("store-backup.db")).exitCode, 0);
#ifdef FLOWSEG_HAVE_DICOM
    // One expert's lesion is not enough to fine-tune on: the user learns how many more.
    expectOneLineError(run("finetune" + db + " --model " + modelPath() + " --steps 5"),
                       "the store has 0 (4 more)");
    const auto models = run("models" + db);
    ASSERT_EQ(models.exitCode, 0) << models.err;
    EXPECT_NE(models.out.find("no model version"), std::string::npos)
        << "a refused fine-tune wrote to the store: " << models.out;
#endif

    flowseg::test::writeFileBytes(path("foreign.db"), "SQLite format 3 but not really");
    expectOneLineError(run("db --db " + path("foreign.db") + " list"), "foreign.db");
    expectOneLineError(run("db --db " + path("absent.db") + " list"), "no such file");
}
#endif

#ifdef FLOWSEG_HAVE_DICOM
TEST_F(Cli, DicomInfoHashesLosslessVariantsEquallyAndNamesFailures) {
    const std::string pydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
    if (!fs::exists(pydicom + "MR_small.dcm"))
        GTEST_SKIP() << "python3-pydicom test files are not installed";
    const auto info = run("dicom-info --json " + pydicom + "MR_small.dcm " + pydicom +
                          "MR_small_RLE.dcm " + pydicom + "MR_small_jp2klossless.dcm");
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
    std::string xml = "<LidcReadMessage><ResponseHeader><SeriesInstanceUid>" +
                      load.series[0].seriesUid + "</SeriesInstanceUid></ResponseHeader>";
    for (int reader = 0; reader < 2; ++reader) {
        xml += "<readingSession><unblindedReadNodule><noduleID>N1</noduleID>";
        for (int slice : {14, 15}) {
            xml += "<roi><imageSOP_UID>" + sops[static_cast<size_t>(slice)] +
                   "</imageSOP_UID><inclusion>TRUE</inclusion>";
            for (const auto& [x, y] : std::vector<std::pair<int, int>>{
                     {76, 106}, {84 + reader, 106}, {84 + reader, 114}, {76, 114}})
                xml += "<edgeMap><xCoord>" + std::to_string(x) + "</xCoord><yCoord>" +
                       std::to_string(y) + "</yCoord></edgeMap>";
            xml += "</roi>";
        }
        xml += "</unblindedReadNodule></readingSession>";
    }
    xml += "</LidcReadMessage>";
    flowseg::test::writeFileBytes(path("lidc.xml"), xml);
    const auto imported =
        run("lidc-import --json --xml " + path("lidc.xml") + " --series " + path("demo") +
            " --out " + path("lidc") + " --seg " + path("lidc.seg.dcm"));
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    EXPECT_EQ(nlohmann::json::parse(imported.out)["masks"], 4);
    EXPECT_TRUE(fs::exists(path("lidc.seg.dcm")));
    // Reader 2's outline has corners (76,106) (85,106) (85,114) (76,114): pixel centres
    // inside are x 76..84, y 106..113 (72), plus the three corners not among them.
    EXPECT_EQ(flowseg::imaging::readMask(path("lidc/reader2_N1_slice014.png")).area(), 75);
    EXPECT_LT(flowseg::imaging::readMask(path("lidc/reader1_N1_slice014.png")).area(), 75);
    expectOneLineError(run("lidc-import --xml " + path("nope.xml") + " --series " + path("demo") +
                           " --out " + path("x")),
                       "nope.xml");
}

TEST_F(Cli, UnreachablePacsIsAOneLineError) {
    expectOneLineError(run("pacs --port 1 --timeout 2 echo"), "does not answer");
}
#endif
