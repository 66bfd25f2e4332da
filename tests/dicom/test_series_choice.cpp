// A study of several series: the headers say which series to read (not the
// scout, not a SEG beside it), only that series is decoded, on several threads
// with the same result as on one, with progress and cancel, and its middle
// slice decodes alone as the first image.

#include <gtest/gtest.h>
#include <atomic>
#include <filesystem>

#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/dicom/study_scan.h"

using namespace flowseg::dicom;
namespace fs = std::filesystem;

namespace {

class SeriesChoice : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("flowseg_choice_" + std::to_string(::getpid()));
        fs::remove_all(m_dir);
        auto thin = demoChestCt(4);
        thin.depth = 24;
        thin.hu.resize(static_cast<size_t>(thin.width) * thin.height * thin.depth);
        thin.studyUid = "1.2.826.0.1.3680043.8.498.99001";
        thin.seriesDescription = "Chest 1.25 mm";
        thin.instanceNumbers.resize(24);
        for (int z = 0; z < 24; ++z) thin.instanceNumbers[z] = 24 - z;  // names != order
        writeSeries((m_dir / "thin").string(), thin);
        auto thick = thin;
        thick.depth = 6;
        thick.hu.resize(static_cast<size_t>(thick.width) * thick.height * thick.depth);
        thick.instanceNumbers.clear();
        thick.seriesDescription = "Chest 5 mm";
        writeSeries((m_dir / "thick").string(), thick);
        auto scout = thin;
        scout.depth = 1;
        scout.hu.resize(static_cast<size_t>(scout.width) * scout.height);
        scout.instanceNumbers.clear();
        scout.imageType = "ORIGINAL\\PRIMARY\\LOCALIZER";
        scout.seriesDescription = "Scanogram";
        writeSeries((m_dir / "scout").string(), scout);
        // A SEG of the thin series beside them: not a series to read.
        m_thin = std::move(loadFolder((m_dir / "thin").string()).series.at(0));
        flowseg::common::Mask mask(m_thin.height, m_thin.width);
        mask.at(100, 80) = 1;
        writeBinarySeg((m_dir / "outline.seg.dcm").string(), m_thin, {{"Reader", {{3, mask}}}});
    }
    void TearDown() override { fs::remove_all(m_dir); }

    fs::path m_dir;
    Series m_thin;
};

}  // namespace

TEST_F(SeriesChoice, TheHeadersPickTheThinSeriesNotTheScoutNorTheSeg) {
    const auto scan = scanFolder(m_dir.string());
    const auto series = imageSeries(scan);
    ASSERT_EQ(series.size(), 3U) << "the SEG is not an image series";
    int localizers = 0;
    for (const auto& s : series) {
        localizers += s.localizer;
        EXPECT_EQ(s.rows, 256);
        if (s.localizer) {
            EXPECT_EQ(s.description, "Scanogram");
        }
    }
    EXPECT_EQ(localizers, 1);
    const auto* chosen = readingSeries(series);
    ASSERT_NE(chosen, nullptr);
    EXPECT_EQ(chosen->description, "Chest 1.25 mm");
    EXPECT_EQ(chosen->slices, 24);
    ASSERT_EQ(chosen->files.size(), 24U);
    EXPECT_EQ(chosen->files, m_thin.files) << "the files in slice order";
    // A folder of scouts only still opens one.
    EXPECT_NE(readingSeries({series[0]}), nullptr);
    EXPECT_EQ(readingSeries({}), nullptr);
    // The first image: the middle slice alone, as the whole load has it.
    const auto middle = loadMiddleSlice(*chosen);
    ASSERT_EQ(middle.depth, 1);
    const size_t plane = static_cast<size_t>(m_thin.width) * m_thin.height;
    EXPECT_TRUE(std::equal(middle.values.begin(), middle.values.end(),
                           m_thin.values.begin() + static_cast<std::ptrdiff_t>(12 * plane)));
}

TEST_F(SeriesChoice, ParallelDecodingEqualsSerialWithProgressAndCancel) {
    const auto chosen = *readingSeries(imageSeries(scanFolder(m_dir.string())));
    LoadOptions serial;
    serial.threads = 1;
    const auto one = loadFiles(chosen.files, serial);
    std::atomic<int> calls{0};
    int last = 0, total = 0;
    LoadOptions parallel;
    parallel.threads = 4;
    parallel.progress = [&](int done, int all) {
        ++calls;
        last = std::max(last, done);
        total = all;
    };
    const auto many = loadFiles(chosen.files, parallel);
    ASSERT_EQ(one.series.size(), 1U);
    ASSERT_EQ(many.series.size(), 1U);
    EXPECT_EQ(many.series[0].values, one.series[0].values);
    EXPECT_EQ(many.series[0].sopUids, one.series[0].sopUids);
    EXPECT_EQ(many.series[0].values, m_thin.values);
    EXPECT_EQ(calls.load(), 24);
    EXPECT_EQ(last, 24);
    EXPECT_EQ(total, 24);
    // Cancel: no further file after the flag, and the load says so.
    std::atomic<int> decoded{0};
    LoadOptions cancelling;
    cancelling.threads = 2;
    cancelling.progress = [&](int done, int) { decoded = done; };
    cancelling.cancelled = [&] { return decoded.load() >= 3; };
    try {
        (void)loadFiles(chosen.files, cancelling);
        FAIL() << "the load ignored cancel";
    } catch (const LoadCancelled& e) {
        EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos);
    }
    EXPECT_LT(decoded.load(), 24);
}
