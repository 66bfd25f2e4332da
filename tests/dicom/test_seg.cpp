// DICOM SEG written by us reads back identically through DCMTK's SEG reader and
// is accepted by dcmdump.

#include <gtest/gtest.h>
#include <cstdlib>
#include <filesystem>

#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series_writer.h"

using namespace flowseg::dicom;
using flowseg::common::Mask;
namespace fs = std::filesystem;

namespace {

Series smallSeries(const fs::path& dir) {
    auto demo = demoChestCt(2);
    demo.depth = 6;
    demo.hu.resize(static_cast<size_t>(demo.width) * demo.height * demo.depth);
    writeSeries((dir / "ct").string(), demo);
    auto load = loadFolder((dir / "ct").string());
    return std::move(load.series.at(0));
}

Mask disc(int w, int h, int cx, int cy, int r) {
    Mask m(h, w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) m.at(y, x) = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
    return m;
}

}  // namespace

TEST(DicomSeg, BinaryAndFractionalSegRoundTrip) {
    const auto dir = fs::temp_directory_path() / ("flowseg_seg_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto series = smallSeries(dir);
    const int w = series.width, h = series.height;
    std::vector<BinarySegment> segments{
        {"Reader 1", {{2, disc(w, h, 80, 110, 5)}, {3, disc(w, h, 80, 110, 4)}}},
        {"Reader 2", {{2, disc(w, h, 81, 110, 7)}}},
        {"Consensus", {{2, disc(w, h, 80, 110, 5)}, {3, disc(w, h, 80, 110, 3)}}}};
    const auto binaryPath = (dir / "masks.seg.dcm").string();
    writeBinarySeg(binaryPath, series, segments);

    const auto back = readSeg(binaryPath);
    EXPECT_FALSE(back.fractional);
    EXPECT_EQ(back.rows, h);
    EXPECT_EQ(back.columns, w);
    EXPECT_EQ(back.referencedSeriesUid, series.seriesUid);
    ASSERT_EQ(back.segments.size(), 3U);
    for (size_t k = 0; k < segments.size(); ++k) {
        EXPECT_EQ(back.segments[k].label, segments[k].label);
        ASSERT_EQ(back.segments[k].masks.size(), segments[k].slices.size()) << segments[k].label;
        for (const auto& [slice, mask] : segments[k].slices) {
            const auto& sop = series.sopUids[static_cast<size_t>(slice)];
            ASSERT_TRUE(back.segments[k].masks.count(sop))
                << segments[k].label << " slice " << slice;
            EXPECT_EQ(back.segments[k].masks.at(sop), mask)
                << segments[k].label << " slice " << slice;
        }
    }

    flowseg::common::ImageF variance(h, w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            variance.at(y, x) = static_cast<float>((x * 7 + y * 3) % 256) / 255.0F;
    const auto fractionalPath = (dir / "uncertainty.seg.dcm").string();
    writeFractionalSeg(fractionalPath, series, "Sample variance", {{2, variance}});
    const auto fractional = readSeg(fractionalPath);
    EXPECT_TRUE(fractional.fractional);
    ASSERT_EQ(fractional.segments.size(), 1U);
    const auto& map = fractional.segments[0].fractions.at(series.sopUids[2]);
    for (size_t i = 0; i < map.pixels.size(); ++i)
        ASSERT_NEAR(map.pixels[i], variance.pixels[i], 0.5 / 255.0);

    // DCMTK's dcmdump (package dcmtk) parses both without complaint.
    if (fs::exists("/usr/bin/dcmdump")) {
        for (const auto& p : {binaryPath, fractionalPath}) {
            const std::string command =
                "/usr/bin/dcmdump -q +E " + p + " > " + (dir / "dump.txt").string() + " 2>&1";
            EXPECT_EQ(std::system(command.c_str()), 0) << p;
        }
    }
    fs::remove_all(dir);
}

TEST(DicomSeg, BadInputIsAClearError) {
    const auto dir = fs::temp_directory_path() / ("flowseg_seg_bad_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto series = smallSeries(dir);
    EXPECT_THROW(writeBinarySeg((dir / "x.dcm").string(), series, {}), DicomError);
    EXPECT_THROW(
        writeBinarySeg((dir / "x.dcm").string(), series, {{"wrong size", {{0, Mask(4, 4)}}}}),
        DicomError);
    EXPECT_THROW(writeBinarySeg((dir / "x.dcm").string(), series,
                                {{"outside", {{99, Mask(series.height, series.width)}}}}),
                 DicomError);
    EXPECT_THROW(readSeg(series.files.front()), DicomError);  // a CT image, not a SEG
    fs::remove_all(dir);
}
