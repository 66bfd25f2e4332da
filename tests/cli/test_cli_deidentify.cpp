// A de-identified report and its exports leave nothing of the source patient:
// a CT study carrying identifiers everywhere (name, ID, birth date, accession
// number, institution, department, station, referring physician, address,
// other names, study date and description) goes through `flowseg report
// --exports`; every exported file (every DICOM attribute, the tables, JSON and
// NIfTI headers) and the report's text are scanned for each identifier. The
// pseudonym is keyed by this installation's secret; every DICOM object passes
// dciodvfy; --replace-uids gives one consistent set of new UIDs per export.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"
#include "flowseg/imaging/image_io.h"
#if defined(FLOWSEG_HAVE_REPORT) && defined(FLOWSEG_HAVE_DICOM)
#include "flowseg/common/installation_secret.h"
#include "flowseg/dicom/deidentify.h"
#include "flowseg/dicom/encapsulated_pdf.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#endif

using flowseg::test::Cli;
using flowseg::test::commandOutput;
namespace fs = std::filesystem;

#if defined(FLOWSEG_HAVE_REPORT) && defined(FLOWSEG_HAVE_DICOM)
namespace {

const std::vector<std::string> kIdentifiers = {
    "Roe^Jane",       "MRN-55501234",    "19610314",  "ACC-778812",
    "St Elsewhere",   "House^Gregory",   "20250102",  "12 Elm Street",
    "Jane Roe-Smith", "Cardiology Wing", "CT-ROOM-7", "chest for Jane"};

/// The file's bytes, decompressed when it is gzip (NIfTI).
std::string contentOf(const fs::path& file) {
    if (file.extension() == ".gz") return commandOutput("zcat '" + file.string() + "'");
    return flowseg::test::readFileBytes(file.string());
}

}  // namespace

TEST_F(Cli, DeidentifiedReportAndExportsCarryNoIdentifierOfThePatient) {
    const auto config = path("config");
    ::setenv("XDG_CONFIG_HOME", config.c_str(), 1);  // this installation's secret, fresh
    const auto ct = path("hospital-ct");
    ASSERT_EQ(run("demo-study --out " + ct).exitCode, 0);
    const auto modified = std::system(
        ("dcmodify -nb -q -m '(0010,0010)=Roe^Jane' -m '(0010,0020)=MRN-55501234' "
         "-m '(0010,0030)=19610314' -m '(0008,0050)=ACC-778812' -i "
         "'(0008,0080)=St Elsewhere Hospital' -i '(0008,1040)=Cardiology Wing' -i "
         "'(0008,1010)=CT-ROOM-7' -m '(0008,0090)=House^Gregory' -i '(0010,1040)=12 Elm Street' "
         "-i '(0010,1001)=Jane Roe-Smith' -m '(0008,0020)=20250102' -m "
         "'(0008,1030)=CT chest for Jane' '" +
         ct + "'/*.dcm")
            .c_str());
    ASSERT_EQ(modified, 0) << "dcmodify (Debian's dcmtk) is needed";
    const std::string db = " --db " + path("deid.db");
    ASSERT_EQ(run("db" + db + " init").exitCode, 0);
    ASSERT_EQ(run("db" + db + " import-study " + ct).exitCode, 0);
    ASSERT_EQ(run("db" + db + " add-lesion --series 1 --slice 14 --box 64 94 32 32").exitCode, 0);
    flowseg::common::Mask mask(256, 256);
    for (int y = 105; y < 116; ++y)
        for (int x = 75; x < 86; ++x) mask.at(y, x) = 1;
    flowseg::imaging::writeMask(path("outline.png"), mask);
    for (const auto* expert : {"Reader A", "Reader B"})
        ASSERT_EQ(run("db" + db + " annotate --lesion 1 --expert '" + expert +
                      "' --slice 14 --mask " + path("outline.png"))
                      .exitCode,
                  0);
    const auto study = flowseg::dicom::loadFolder(ct).series.at(0);
    const auto exports = path("deid-exports");
    const auto report = run("report" + db + " --study " + study.studyUid + " --out " +
                            path("deid.pdf") + " --exports " + exports + " --no-rerun");
    ASSERT_EQ(report.exitCode, 0) << report.err;

    // Every exported file and the report's text: no identifier.
    std::vector<fs::path> dicomFiles;
    int scanned = 0;
    for (const auto& entry : fs::recursive_directory_iterator(exports)) {
        if (!entry.is_regular_file()) continue;
        const auto content = contentOf(entry.path());
        for (const auto& id : kIdentifiers)
            EXPECT_EQ(content.find(id), std::string::npos) << entry.path() << " holds " << id;
        if (entry.path().extension() == ".dcm") dicomFiles.push_back(entry.path());
        ++scanned;
    }
    EXPECT_GE(scanned, 8);
    ASSERT_GE(dicomFiles.size(), 2U) << "the experts' SEG and the report document";
    const auto text = commandOutput("pdftotext '" + path("deid.pdf") + "' -");
    ASSERT_NE(text.find("Lesion"), std::string::npos);
    for (const auto& id : kIdentifiers)
        EXPECT_EQ(text.find(id), std::string::npos) << "the report's text holds " << id;
    // The report document is the PDF, filed in the source study.
    const auto document = fs::path(exports) / "report.dcm";
    EXPECT_EQ(flowseg::dicom::readEncapsulatedPdf(document.string()),
              flowseg::test::readFileBytes(path("deid.pdf")));
    EXPECT_NE(commandOutput("dcmdump +P StudyInstanceUID '" + document.string() + "'")
                  .find(study.studyUid),
              std::string::npos);

    // experts.nii.gz, written a volume at a time: each reader's outline on slice 14 only.
    const auto voxels = commandOutput(
        "python3 -c \"import gzip,struct,sys;b=gzip.open(sys.argv[1]).read();"
        "d=struct.unpack('<8h',b[40:56]);o=int(struct.unpack('<f',b[108:112])[0]);"
        "n=d[1]*d[2]*d[3];v=b[o:];"
        "print(*[sum(v[k*n:(k+1)*n]) for k in range(d[4])],"
        "*[min(i//(d[1]*d[2]) for i in range(k*n,(k+1)*n) if v[i])-k*d[3] for k in range(d[4])])\" "
        "'" +
        (fs::path(exports) / "lesion_1" / "experts.nii.gz").string() + "'");
    EXPECT_EQ(voxels, "121 121 14 14\n") << "voxels per reader, then their first slice";

    // The pseudonym: keyed by a secret created on first use, readable by the user only.
    const auto keyFile = flowseg::common::installationSecretPath();
    EXPECT_EQ(keyFile.rfind(config, 0), 0U) << keyFile;
    struct stat info {};
    ASSERT_EQ(::stat(keyFile.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    const auto pseudonym =
        flowseg::dicom::pseudonymOf("MRN-55501234", flowseg::common::installationSecret());
    for (const auto& file : dicomFiles)
        EXPECT_NE(commandOutput("dcmdump +P PatientID '" + file.string() + "'").find(pseudonym),
                  std::string::npos)
            << file;
    EXPECT_NE(text.find(pseudonym), std::string::npos);

    // Valid DICOM by an outside validator.
    if (fs::exists("/usr/bin/dciodvfy")) {
        for (const auto& file : dicomFiles) {
            const auto out = commandOutput("dciodvfy '" + file.string() + "' 2>&1");
            EXPECT_EQ(out.find("\nError"), std::string::npos) << file << "\n" << out;
            EXPECT_NE(out.rfind("Error", 0), 0U) << file << "\n" << out;
        }
    } else {
        ADD_FAILURE() << "dciodvfy is not installed (tools/install-deps.sh installs dicom3tools)";
    }

    // Replaced UIDs: none of the source's, one study UID across the export's files.
    const auto replaced = path("replaced-exports");
    ASSERT_EQ(run("report" + db + " --study " + study.studyUid + " --out " + path("r.pdf") +
                  " --exports " + replaced + " --no-rerun --replace-uids")
                  .exitCode,
              0);
    std::set<std::string> studyUids;
    for (const auto& entry : fs::recursive_directory_iterator(replaced)) {
        if (entry.path().extension() != ".dcm") continue;
        const auto content = contentOf(entry.path());
        EXPECT_EQ(content.find(study.studyUid), std::string::npos) << entry.path();
        EXPECT_EQ(content.find(study.seriesUid), std::string::npos) << entry.path();
        for (const auto& sop : study.sopUids)
            EXPECT_EQ(content.find(sop), std::string::npos) << entry.path();
        studyUids.insert(commandOutput("dcmdump +P StudyInstanceUID '" + entry.path().string() +
                                       "' | head -1 | sed 's/.*\\[\\(.*\\)\\].*/\\1/'"));
    }
    EXPECT_EQ(studyUids.size(), 1U);
    const auto seg =
        flowseg::dicom::readSeg((fs::path(replaced) / "lesion_1" / "experts.seg.dcm").string());
    const auto index = nlohmann::json::parse(commandOutput("cat '" + replaced + "/study.json'"));
    EXPECT_EQ(seg.referencedSeriesUid, index["series_uid"].get<std::string>())
        << "the tables name the replaced series the SEG references";
    expectOneLineError(run("report" + db + " --study " + study.studyUid + " --out " +
                           path("x.pdf") + " --identified --replace-uids"),
                       "--replace-uids");
    ::unsetenv("XDG_CONFIG_HOME");
}
#endif
