// `flowseg pacs` against a real Orthanc on loopback: a study sent, found again
// by patient, date and modality; one series of it retrieved by C-MOVE into the
// local cache (and found there the second time); the study's results (the
// experts' outlines as SEG, the report as Encapsulated PDF) sent back with
// `pacs store-results`, found by C-FIND, retrieved on "another machine" (a new
// store and cache) and imported there as readers with the same outlines.

#include <gtest/gtest.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_fixture.h"
#include "flowseg/imaging/image_io.h"
#if defined(FLOWSEG_HAVE_REPORT) && defined(FLOWSEG_HAVE_DICOM)
#include "dicom/orthanc_server.h"
#include "flowseg/dicom/encapsulated_pdf.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#endif

using flowseg::test::Cli;
using flowseg::test::commandOutput;
namespace fs = std::filesystem;

#if defined(FLOWSEG_HAVE_REPORT) && defined(FLOWSEG_HAVE_DICOM)
namespace {

class CliPacs : public Cli {
protected:
    void SetUp() override {
        if (!fs::exists(flowseg::test::kOrthanc))
            GTEST_SKIP() << "orthanc is not installed (tools/install-deps.sh installs it)";
        const auto error = m_pacs.start("flowseg_cli_orthanc");
        ASSERT_TRUE(error.empty()) << error;
    }
    void TearDown() override { m_pacs.stop(); }

    std::string pacs(const std::string& arguments) const {
        return "pacs --port " + std::to_string(m_pacs.port()) + " --json " + arguments;
    }
    nlohmann::json pacsJson(const std::string& arguments) {
        const auto r = run(pacs(arguments));
        EXPECT_EQ(r.exitCode, 0) << arguments << "\n" << r.err;
        return r.exitCode == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
    }

    flowseg::test::OrthancProcess m_pacs;
};

}  // namespace

TEST_F(CliPacs, ResultsGoBackToThePacsAndComeBackAsReadersElsewhere) {
    // A study on the PACS, and a store here in which two experts outlined a lesion of it.
    const auto ct = path("pacs-ct");
    ASSERT_EQ(run("demo-study --out " + ct).exitCode, 0);
    std::string files;
    for (const auto& entry : fs::directory_iterator(ct)) files += " " + entry.path().string();
    ASSERT_EQ(run(pacs("store" + files)).exitCode, 0);
    const auto study = flowseg::dicom::loadFolder(ct).series.at(0);
    const std::string db = " --db " + path("pacs.db");
    ASSERT_EQ(run("db" + db + " init").exitCode, 0);
    ASSERT_EQ(run("db" + db + " import-study " + ct).exitCode, 0);
    ASSERT_EQ(run("db" + db + " add-lesion --series 1 --slice 14 --box 64 94 32 32").exitCode, 0);
    flowseg::common::Mask a(256, 256), b(256, 256);
    for (int y = 104; y < 116; ++y)
        for (int x = 74; x < 86; ++x) a.at(y, x) = 1;
    for (int y = 102; y < 118; ++y)
        for (int x = 72; x < 88; ++x) b.at(y, x) = 1;
    flowseg::imaging::writeMask(path("a.png"), a);
    flowseg::imaging::writeMask(path("b.png"), b);
    ASSERT_EQ(
        run("db" + db + " annotate --lesion 1 --expert 'Dr A' --slice 14 --mask " + path("a.png"))
            .exitCode,
        0);
    ASSERT_EQ(
        run("db" + db + " annotate --lesion 1 --expert 'Dr B' --slice 14 --mask " + path("b.png"))
            .exitCode,
        0);

    // Found by patient, date range and modality; not by another date.
    auto found = pacsJson("find --patient-id FLOWSEG-DEMO --date 20260101-20261231 --modality CT");
    ASSERT_EQ(found.size(), 1U) << found.dump();
    EXPECT_EQ(found[0]["study_uid"], study.studyUid);
    EXPECT_TRUE(pacsJson("find --date 19990101-19991231").empty());

    // One series by C-MOVE into a cache; the second time it comes from the cache.
    const auto cache = path("pacs-cache");
    const std::string move = "move --study " + study.studyUid + " --series " + study.seriesUid +
                             " --listen-port " + std::to_string(m_pacs.movePort()) + " --cache " +
                             cache;
    const auto moved = pacsJson(move);
    EXPECT_EQ(moved["files"], 40);
    EXPECT_EQ(moved["from_cache"], false);
    EXPECT_EQ(flowseg::dicom::loadFolder(moved["out"].get<std::string>()).series.at(0).values,
              study.values);
    EXPECT_EQ(pacsJson(move)["from_cache"], true);

    // The results back to the PACS, filed in the patient's study.
    const auto sent = pacsJson("store-results" + db + " --study " + study.studyUid);
    ASSERT_GE(sent["sent"].size(), 2U) << sent.dump();
    EXPECT_EQ(sent["sent"][0], "report.dcm");
    std::string segSeries, docSeries;
    for (const auto& s : pacsJson("find --study " + study.studyUid)) {
        if (s["modality"] == "SEG") segSeries = s["series_uid"];
        if (s["modality"] == "DOC") docSeries = s["series_uid"];
    }
    ASSERT_FALSE(segSeries.empty()) << "the experts' SEG is not on the PACS";
    ASSERT_FALSE(docSeries.empty()) << "the report is not on the PACS";

    // Another workstation: its own cache and store. The report comes back as the
    // PDF; the SEG becomes the two readers, outline for outline.
    const auto other = path("other-cache");
    const auto doc =
        pacsJson("get --study " + study.studyUid + " --series " + docSeries + " --cache " + other);
    const auto docFile = fs::directory_iterator(doc["out"].get<std::string>())->path();
    EXPECT_EQ(flowseg::dicom::readEncapsulatedPdf(docFile.string()).rfind("%PDF-", 0), 0U);
    const auto seg =
        pacsJson("get --study " + study.studyUid + " --series " + segSeries + " --cache " + other);
    const auto ctThere = pacsJson("get --study " + study.studyUid + " --series " + study.seriesUid +
                                  " --cache " + other);
    const auto segFile = fs::directory_iterator(seg["out"].get<std::string>())->path();
    const std::string otherDb = " --db " + path("other.db");
    ASSERT_EQ(run("db" + otherDb + " init").exitCode, 0);
    const auto imported = run("db" + otherDb + " --json import-readers " +
                              ctThere["out"].get<std::string>() + " --seg " + segFile.string());
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto readers = nlohmann::json::parse(imported.out)["lesions"][0]["readers"];
    EXPECT_EQ(readers, nlohmann::json({"Dr A", "Dr B"}));
    ASSERT_EQ(run("db" + otherDb + " export-annotations --out " + path("other-export")).exitCode,
              0);
    int sameAsA = 0, sameAsB = 0;
    for (const auto& entry : fs::recursive_directory_iterator(path("other-export"))) {
        if (entry.path().extension() != ".png") continue;
        const auto mask = flowseg::imaging::readMask(entry.path().string());
        sameAsA += mask == a;
        sameAsB += mask == b;
    }
    EXPECT_EQ(sameAsA, 1);
    EXPECT_EQ(sameAsB, 1);
    // A PACS that has stopped: one clear line, and nothing half-written in the cache.
    m_pacs.kill();
    expectOneLineError(
        run("pacs --timeout 2 --port " + std::to_string(m_pacs.port()) + " get --study " +
            study.studyUid + " --series " + docSeries + " --cache " + path("third-cache")),
        "does not answer");
    EXPECT_TRUE(fs::is_empty(fs::path(path("third-cache")) / ".partial"));
}
#endif
