// A stored series is found by its UIDs wherever this workstation has it: the
// stored paths, the PACS cache, a searched folder, the PACS; and when nowhere,
// the message names the series, where it looked and the fix.

#include <gtest/gtest.h>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>

#include "flowseg/db/database.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/pacs_cache.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/review/series_locator.h"
#include "flowseg/review/study_import.h"

using namespace flowseg;
namespace fs = std::filesystem;

namespace {

class Locator : public ::testing::Test {
protected:
    void SetUp() override {
        root = fs::temp_directory_path() / ("flowseg_locator_" + std::to_string(::getpid()));
        fs::remove_all(root);
        fs::create_directories(root);
        auto ct = dicom::demoChestCt(3);
        ct.depth = 6;
        ct.hu.resize(static_cast<std::size_t>(ct.width) * ct.height * ct.depth);
        dicom::writeSeries((root / "workstation-a" / "study").string(), ct);
        database = std::make_unique<db::Database>(
            db::Database::open((root / "store.flowseg").string(), db::OpenMode::Create));
        seriesId =
            review::registerStudyFolder(*database, (root / "workstation-a" / "study").string())
                .seriesIds.front();
        db::StudyRepository studies(*database);
        series = *studies.findSeries(seriesId);
        studyUid = studies.findStudy(series.studyId)->studyUid;
    }
    void TearDown() override {
        database.reset();
        fs::remove_all(root);
    }
    /// Another workstation: the paths the store holds are not here.
    void moveAway(const fs::path& to) {
        fs::create_directories(to.parent_path());
        fs::rename(root / "workstation-a" / "study", to);
    }

    fs::path root;
    std::unique_ptr<db::Database> database;
    db::RowId seriesId = 0;
    db::SeriesRecord series;
    std::string studyUid;
};

}  // namespace

TEST_F(Locator, TheStoredPathsWhenTheyAreHere) {
    const auto found = review::locateSeries(*database, seriesId, {});
    EXPECT_EQ(found.from, "its stored paths");
    EXPECT_EQ(found.files.size(), 6U);
}

TEST_F(Locator, NowhereSaysWhereItLookedAndTheFix) {
    moveAway(root / "elsewhere" / "study");
    review::SeriesSources sources;
    sources.folders = {(root / "empty-share").string()};
    try {
        review::locateSeries(*database, seriesId, sources);
        FAIL() << "found a series that is not here";
    } catch (const review::SeriesNotFound& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(series.seriesUid), std::string::npos) << message;
        EXPECT_NE(message.find("not on this workstation"), std::string::npos) << message;
        EXPECT_NE(message.find("6 of its 6 stored files"), std::string::npos) << message;
        EXPECT_NE(message.find("empty-share"), std::string::npos) << message;
        EXPECT_NE(message.find("no PACS"), std::string::npos) << message;
        EXPECT_NE(message.find("FLOWSEG_DICOM_PATH"), std::string::npos) << message;
    }
}

TEST_F(Locator, ASearchedFolderFromTheEnvironmentHoldsItUnderAnotherPath) {
    moveAway(root / "share" / "radiology" / "ct-0001");
    const std::string path = (root / "nothing").string() + ":" + (root / "share").string();
    ::setenv("FLOWSEG_DICOM_PATH", path.c_str(), 1);
    auto sources = review::SeriesSources::fromEnvironment();
    ::unsetenv("FLOWSEG_DICOM_PATH");
    ASSERT_EQ(sources.folders.size(), 2U);
    sources.pacsCache.clear();
    std::vector<std::string> looked;
    sources.progress = [&](const std::string& where) { looked.push_back(where); };
    const auto found = review::locateSeries(*database, seriesId, sources);
    EXPECT_EQ(found.from, "the folder " + (root / "share").string());
    ASSERT_EQ(found.files.size(), 6U);
    EXPECT_EQ(fs::path(found.files.front()).parent_path(),
              root / "share" / "radiology" / "ct-0001");
    EXPECT_EQ(looked.size(), 2U);
}

TEST_F(Locator, ThePacsCacheThenThePacs) {
    moveAway(root / "pacs-archive" / "study");
    const auto copyInto = [&](const std::string& folder) {
        for (const auto& entry : fs::directory_iterator(root / "pacs-archive" / "study"))
            fs::copy_file(entry.path(), fs::path(folder) / entry.path().filename());
    };
    review::SeriesSources sources;
    sources.pacsCache = (root / "cache").string();
    int retrieved = 0;
    sources.retrieve = [&](const std::string& study, const std::string& uid) {
        EXPECT_EQ(study, studyUid);
        EXPECT_EQ(uid, series.seriesUid);
        ++retrieved;
        dicom::PacsCache cache(sources.pacsCache);
        return cache.fetch(study, uid, copyInto);
    };
    auto found = review::locateSeries(*database, seriesId, sources);
    EXPECT_EQ(found.from, "the PACS");
    EXPECT_EQ(found.files.size(), 6U);
    found = review::locateSeries(*database, seriesId, sources);
    EXPECT_EQ(found.from, "the PACS cache") << "retrieved once, then from the cache";
    EXPECT_EQ(retrieved, 1);

    // A PACS that does not answer: said, with the rest.
    fs::remove_all(root / "cache");
    sources.retrieve = [](const std::string&, const std::string&) -> std::string {
        throw std::runtime_error("the PACS at 127.0.0.1:4242 does not answer");
    };
    try {
        review::locateSeries(*database, seriesId, sources);
        FAIL();
    } catch (const review::SeriesNotFound& e) {
        EXPECT_NE(std::string(e.what()).find("does not answer"), std::string::npos) << e.what();
    }
}
