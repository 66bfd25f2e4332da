// Multi-reader work into the store, each reader an expert: LIDC XML (nodules
// matched across readers), DICOM SEG written by another tool (one SEG with a
// segment per reader, one SEG per reader, fractional), folder-case crop masks.
#include <gtest/gtest.h>

#include <sstream>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/dicom/dicom_error.h"
#include "flowseg/review/reader_import.h"
#include "session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;

namespace {

/// A reader's square outline (its boundary pixels, as LIDC lists them) on one SOP.
std::string squareRoi(const std::string& sop, int x0, int y0, int side) {
    std::ostringstream roi;
    roi << "<roi><imageZposition>0</imageZposition><imageSOP_UID>" << sop
        << "</imageSOP_UID><inclusion>TRUE</inclusion>";
    for (int x = x0; x < x0 + side; ++x)
        roi << "<edgeMap><xCoord>" << x << "</xCoord><yCoord>" << y0 << "</yCoord></edgeMap>";
    for (int y = y0; y < y0 + side; ++y)
        roi << "<edgeMap><xCoord>" << x0 + side - 1 << "</xCoord><yCoord>" << y
            << "</yCoord></edgeMap>";
    for (int x = x0 + side - 1; x >= x0; --x)
        roi << "<edgeMap><xCoord>" << x << "</xCoord><yCoord>" << y0 + side - 1
            << "</yCoord></edgeMap>";
    for (int y = y0 + side - 1; y >= y0; --y)
        roi << "<edgeMap><xCoord>" << x0 << "</xCoord><yCoord>" << y << "</yCoord></edgeMap>";
    roi << "</roi>";
    return roi.str();
}

std::string reading(const std::string& reader, const std::vector<std::string>& nodules) {
    std::string xml =
        "<readingSession><servicingRadiologistID>" + reader + "</servicingRadiologistID>";
    int n = 0;
    for (const auto& rois : nodules)
        xml += "<unblindedReadNodule><noduleID>" + std::to_string(++n) + "</noduleID>" + rois +
               "</unblindedReadNodule>";
    return xml + "</readingSession>";
}

/// The demo CT with SOP Instance UIDs 1.2.3.4.<slice>.
dicom::Series seriesWithUids() {
    auto s = *demoSeries();
    s.seriesUid = "1.2.3.4";
    for (int z = 0; z < s.depth; ++z) s.sopUids.push_back("1.2.3.4." + std::to_string(z));
    return s;
}

const char* kPydicomCt =
    "/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/77654033/CT2";
const fs::path kThirdPartySeg =
    fs::path(FLOWSEG_SOURCE_DIR) / ".." / "shared" / "data" / "third-party-seg";

}  // namespace

TEST(ReaderImport, LidcReadersNodulesBecomeLesionsWithOneExpertPerReader) {
    const auto series = seriesWithUids();
    // Readers 1 and 2 outline the same nodule (overlapping squares on slices 20
    // and 21); reader 2 also marks a second nodule far away; reader 3 only that one.
    const std::string xml =
        "<LidcReadMessage><ResponseHeader><SeriesInstanceUid>1.2.3.4</SeriesInstanceUid></"
        "ResponseHeader>" +
        reading("reader-1",
                {squareRoi("1.2.3.4.20", 100, 100, 8) + squareRoi("1.2.3.4.21", 101, 100, 7)}) +
        reading("reader-2",
                {squareRoi("1.2.3.4.20", 103, 102, 9), squareRoi("1.2.3.4.5", 30, 40, 5)}) +
        reading("reader-3",
                {squareRoi("1.2.3.4.5", 31, 41, 4) + squareRoi("1.2.3.4.99", 1, 1, 3)}) +
        "</LidcReadMessage>";
    int skipped = 0;
    const auto lesions =
        review::lidcLesions(dicom::parseLidcXmlText(xml, "test.xml"), series, &skipped);
    EXPECT_EQ(skipped, 1) << "the ROI on a SOP the series does not hold";
    ASSERT_EQ(lesions.size(), 2U);
    const auto path = scratchStore("lidc_import");
    const auto seriesId = storeWithSeries(path);
    auto database = db::Database::open(path);
    std::vector<review::ImportedLesion> imported;
    for (const auto& lesion : lesions)
        imported.push_back(review::importReaders(database, seriesId, lesion));
    const auto& big = imported[0].readers.size() == 2 && imported[0].readers[0] == "reader-1"
                          ? imported[0]
                          : imported[1];
    EXPECT_EQ(big.readers, (std::vector<std::string>{"reader-1", "reader-2"}));
    const auto record = db::LesionRepository(database).find(big.lesionId);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->firstSlice, 20);
    EXPECT_EQ(record->lastSlice, 21);
    EXPECT_EQ(record->box.x, 100);
    const auto versions = db::AnnotationRepository(database).latestForLesion(big.lesionId);
    EXPECT_EQ(versions.size(), 3U);  // reader 1 on two slices, reader 2 on one
    for (const auto& v : versions) EXPECT_EQ(v.source, db::AnnotationSource::Imported);
    EXPECT_EQ(db::ExpertRepository(database).all().size(), 3U);
    fs::remove(path);
}

TEST(ReaderImport, SegSegmentsAndFilesOfAnotherToolBecomeReaders) {
    if (!fs::exists(kThirdPartySeg / "seg_image_ct_binary_overlap.dcm") || !fs::exists(kPydicomCt))
        GTEST_SKIP() << "no ../shared/data/third-party-seg or python3-pydicom test files";
    const auto load = dicom::loadFolder(kPydicomCt);
    ASSERT_EQ(load.series.size(), 1U);
    const auto& series = load.series.front();
    // One SEG with a segment per reader (overlapping).
    const auto overlap =
        review::segReaders({(kThirdPartySeg / "seg_image_ct_binary_overlap.dcm").string()}, series);
    ASSERT_EQ(overlap.size(), 2U);
    EXPECT_EQ(overlap[0].reader, "first segment");
    EXPECT_EQ(overlap[1].reader, "second segment");
    EXPECT_EQ(overlap[0].slices.size(), 4U);
    EXPECT_EQ(overlap[0].slices.at(0).area(), 16);
    EXPECT_EQ(overlap[1].slices.at(3).area(), 4);
    // One SEG per reader, binary and fractional, the same label: told apart by file.
    const auto perFile =
        review::segReaders({(kThirdPartySeg / "seg_image_ct_binary.dcm").string(),
                            (kThirdPartySeg / "seg_image_ct_true_fractional.dcm").string()},
                           series);
    ASSERT_EQ(perFile.size(), 2U);
    EXPECT_EQ(perFile[0].reader, "seg_image_ct_binary first segment");
    EXPECT_EQ(perFile[1].reader, "seg_image_ct_true_fractional first segment");
    EXPECT_EQ(perFile[0].slices.size(),
              3U);  // frames reference slices 2-4 (by SOP UID, not file order)
    EXPECT_FALSE(perFile[0].slices.count(0));
    EXPECT_EQ(perFile[0].slices.at(1).area(), 127);
    // Into the store: two experts on one lesion.
    const auto path = scratchStore("seg_import");
    {
        auto database = db::Database::open(path);
        db::StudyRepository studies(database);
        const auto study = studies.upsertStudy({0, series.studyUid, "", "", "", ""});
        const auto seriesId = studies.upsertSeries({0, study, series.seriesUid, "CT", "", ""});
        const auto imported = review::importReaders(database, seriesId, overlap);
        EXPECT_EQ(imported.outlines, 8);
        EXPECT_EQ(db::AnnotationRepository(database).latestForLesion(imported.lesionId).size(), 8U);
    }
    fs::remove(path);
    // A SEG of another series is refused, naming both.
    auto other = series;
    other.seriesUid = "9.9.9";
    try {
        (void)review::segReaders({(kThirdPartySeg / "seg_image_ct_binary.dcm").string()}, other);
        ADD_FAILURE() << "a SEG of another series was accepted";
    } catch (const dicom::DicomError& e) {
        EXPECT_NE(std::string(e.what()).find("9.9.9"), std::string::npos) << e.what();
    }
}

TEST(ReaderImport, FolderCaseMasksGoWhereTheWindowCropsTheLesion) {
    const auto series = demoSeries();
    const auto crop = review::cropLesion(*series, 20, {100, 100, 16, 16}, 128);
    common::Mask a(128, 128), b(128, 128);
    a.at(64, 64) = 1;
    b.at(60, 70) = 1;
    const auto readers = review::cropReaders({{"mask_0", a}, {"mask_1", b}}, crop, 256, 256);
    ASSERT_EQ(readers.size(), 2U);
    const auto& onSlice = readers[0].slices.at(20);
    EXPECT_EQ(onSlice.area(), 1);
    EXPECT_EQ(onSlice.at(static_cast<int>(crop.originY) + 64, static_cast<int>(crop.originX) + 64),
              1);
    const auto path = scratchStore("empty_import");
    {
        auto database = db::Database::open(path);
        EXPECT_THROW(
            (void)review::importReaders(database, 1, {{"nobody", {{20, common::Mask(256, 256)}}}}),
            std::invalid_argument);
    }
    fs::remove(path);
}
