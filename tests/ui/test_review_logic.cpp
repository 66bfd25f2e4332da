// The plain C++ review logic: from a marked box on a CT slice to the model's
// input crop and back, and where the default model is looked for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unistd.h>

#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/imaging/image_io.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/model_location.h"

using namespace flowseg;
namespace fs = std::filesystem;

namespace {

dicom::Series demoSeries() {
    const auto demo = dicom::demoChestCt();
    dicom::Series s;
    s.width = demo.width;
    s.height = demo.height;
    s.depth = demo.depth;
    s.values = demo.hu;
    return s;
}

float percentile(std::vector<float> values, double p) {
    std::sort(values.begin(), values.end());
    return values.at(static_cast<size_t>(p * static_cast<double>(values.size() - 1)));
}

/// Where the synthetic training crops put their background: the 25th percentile
/// over a few cases (parenchyma; walls and the lesion are brighter).
float syntheticBackground() {
    std::vector<float> all;
    for (int i = 0; i < 8; ++i) {
        engine::SyntheticOptions options;
        options.seed = 7;
        const auto c = engine::generateSyntheticCase(options, i);
        all.insert(all.end(), c.data.image.pixels.begin(), c.data.image.pixels.end());
    }
    return percentile(all, 0.25);
}

}  // namespace

TEST(LesionCrop, CtCropsLookLikeTheSyntheticTrainingCrops) {
    // The model only knows the synthetic crops: the window must put a CT's lung
    // where their background is, and each demo nodule's contrast in their range.
    const float background = syntheticBackground();
    const auto series = demoSeries();
    for (const auto& n : dicom::demoNodules()) {
        SCOPED_TRACE(n.kind);
        const auto crop = review::cropLesion(series, n.slice, {n.x - 8, n.y - 8, 17, 17}, 128);
        const float lung = percentile(crop.image.pixels, 0.25);
        EXPECT_NEAR(lung, background, 0.03);
        const float contrast = crop.image.at(64, 64) - lung;
        EXPECT_GT(contrast, 0.05F);  // the faintest synthetic lesions
        EXPECT_LT(contrast, 0.5F);   // the brightest
    }
}

namespace {

// ../shared/data/lidc-idri-0004 (one real nodule, four readers), where present:
// slice 3 in HU, the readers' union and its centroid.
struct LidcSlice {
    dicom::Series series;
    std::vector<engine::Mask> readers;  ///< the four LIDC readers' outlines
    std::vector<float> insideHu;  ///< HU under the readers' union
    int cx = 0, cy = 0;
};

std::optional<LidcSlice> lidcSlice() {
    const fs::path root = fs::path(FLOWSEG_SOURCE_DIR) / ".." / "shared" / "data" / "lidc-idri-0004";
    const std::string study = "191425307197546732281885591780";
    if (!fs::exists(root / "images" / study / "slice3.tif")) return std::nullopt;
    const auto image = imaging::readGrayImage((root / "images" / study / "slice3.tif").string());
    LidcSlice s;
    s.series.width = image.width;
    s.series.height = image.height;
    s.series.depth = 1;
    for (const float v : image.pixels) s.series.values.push_back(std::round(v * 65535.0F) - 1024.0F);  // HU
    engine::Mask marked(image.height, image.width);
    for (int k = 1; k <= 4; ++k) {
        const auto reader = imaging::readMask((root / "gts" / study / "slice3" / ("GT_id" + std::to_string(k) + ".tif")).string());
        for (size_t i = 0; i < marked.pixels.size(); ++i) marked.pixels[i] |= reader.pixels.at(i);
        s.readers.push_back(reader);
    }
    double cx = 0, cy = 0;
    for (int y = 0; y < marked.height; ++y)
        for (int x = 0; x < marked.width; ++x)
            if (marked.at(y, x) != 0) {
                cx += x;
                cy += y;
                s.insideHu.push_back(s.series.at(0, y, x));
            }
    if (s.insideHu.empty()) return std::nullopt;
    s.cx = static_cast<int>(cx / static_cast<double>(s.insideHu.size()));
    s.cy = static_cast<int>(cy / static_cast<double>(s.insideHu.size()));
    return s;
}

}  // namespace

TEST(LesionCrop, RealLidcNoduleCropsLikeTheSyntheticOnes) {
    const auto lidc = lidcSlice();
    if (!lidc) GTEST_SKIP() << "no ../shared/data/lidc-idri-0004";
    const auto crop = review::cropLesion(lidc->series, 0, {lidc->cx - 6, lidc->cy - 6, 13, 13}, 128);
    // Parenchyma is the crop's dark tenth; it must sit where the synthetic background does.
    EXPECT_NEAR(percentile(crop.image.pixels, 0.10), syntheticBackground(), 0.03);
    // The readers' union is brighter than the lung around it.
    std::vector<float> inside;
    for (const float hu : lidc->insideHu) inside.push_back(review::windowToUnit(hu, {}));
    EXPECT_GT(percentile(inside, 0.5) - percentile(crop.image.pixels, 0.10), 0.05F);
}

TEST(LesionCrop, TheShippedModelOutlinesTheRealNoduleWhereItsReadersDo) {
    // Smoke check on real anatomy (one patient: not an accuracy claim): the
    // window's path — box around the nodule, 128-pixel field at the model's side,
    // the default sampling, masks drawn back on the slice — lands on the nodule
    // the four LIDC readers outlined, and not on the chest wall or vessels.
    const auto lidc = lidcSlice();
    if (!lidc) GTEST_SKIP() << "no ../shared/data/lidc-idri-0004";
    const auto modelPath = fs::path(FLOWSEG_SOURCE_DIR) / "models" / "default.fsm";
    if (!fs::exists(modelPath)) GTEST_SKIP() << "no shipped model";
    const auto model = engine::Model::load(modelPath.string(), "cpu");
    const auto side = static_cast<int>(model->options().image_size());
    const auto crop = review::cropLesion(lidc->series, 0, {lidc->cx - 6, lidc->cy - 6, 13, 13}, side);
    const auto result = engine::Sampler(model).sample(crop.image, engine::SamplingOptions::fastDefault());
    std::vector<engine::Mask> onSlice;
    for (const auto& m : result.masks)
        if (m.area() > 0) onSlice.push_back(review::maskOnSlice(crop, m, lidc->series.width, lidc->series.height));
    ASSERT_GE(onSlice.size(), result.masks.size() / 2) << "most samples are empty";
    const auto m = engine::evaluateCase(onSlice, lidc->readers);
    std::printf("LIDC-IDRI-0004 slice 3, %zu non-empty samples: GED %.3f, D_max %.3f, Dice %.3f, single-mask GED %.3f\n",
                onSlice.size(), m.ged, m.dMax, m.dice, m.singleMaskGed);
    EXPECT_GT(m.dMax, 0.4);  // every reader has a sample that overlaps well
    for (const auto& mask : onSlice) {
        double cx = 0, cy = 0;
        for (int y = 0; y < mask.height; ++y)
            for (int x = 0; x < mask.width; ++x)
                if (mask.at(y, x) != 0) { cx += x; cy += y; }
        cx /= mask.area();
        cy /= mask.area();
        EXPECT_LT(std::hypot(cx - lidc->cx, cy - lidc->cy), 6.0) << "a sample off the nodule";
        EXPECT_LT(mask.area(), 4 * 44) << "a sample far larger than any reader's outline";
    }
}

TEST(LesionCrop, MinMaxScaled8BitCropsOfARealNoduleReadLikeTheModelWindow) {
    // Public multi-rater crops are 8-bit PNGs whose HU were min-max scaled per crop.
    // Read as value / 255 they must land where the model's training crops are.
    const auto lidc = lidcSlice();
    if (!lidc) GTEST_SKIP() << "no ../shared/data/lidc-idri-0004";
    engine::ImageF hu(128, 128);
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x) hu.at(y, x) = lidc->series.at(0, lidc->cy - 64 + y, lidc->cx - 64 + x);
    const auto [lo, hi] = std::minmax_element(hu.pixels.begin(), hu.pixels.end());
    engine::ImageF scaled = hu;
    for (auto& v : scaled.pixels) v = (v - *lo) / (*hi - *lo);
    const auto file = fs::temp_directory_path() / ("flowseg_minmax_" + std::to_string(::getpid()) + ".png");
    imaging::writeGray8(file.string(), scaled);
    const auto read = imaging::readGrayImage(file.string());
    fs::remove(file);
    ASSERT_EQ(read.width, 128);
    // Background where the synthetic crops have theirs, and close to the DICOM path's window.
    const float background = percentile(read.pixels, 0.10);
    EXPECT_NEAR(background, syntheticBackground(), 0.03);
    const auto windowed = review::cropLesion(lidc->series, 0, {lidc->cx - 6, lidc->cy - 6, 13, 13}, 128);
    EXPECT_NEAR(background, percentile(windowed.image.pixels, 0.10), 0.03);
    // The nodule keeps its contrast within the synthetic lesions' range (0.05 ... 0.5).
    const float nodule = (percentile(lidc->insideHu, 0.5) - *lo) / (*hi - *lo);
    EXPECT_GT(nodule - background, 0.05F);
    EXPECT_LT(nodule - background, 0.6F);
}

TEST(LesionCrop, WindowMapsTheModelWindowToUnitRange) {
    const review::IntensityWindow model;
    EXPECT_FLOAT_EQ(review::windowToUnit(-1000, model), 0.0F);
    EXPECT_FLOAT_EQ(review::windowToUnit(1600, model), 1.0F);
    EXPECT_NEAR(review::windowToUnit(300, model), 0.5F, 1e-6);
    EXPECT_FLOAT_EQ(review::windowToUnit(3000, model), 1.0F);   // clamped
    EXPECT_FLOAT_EQ(review::windowToUnit(-2000, model), 0.0F);  // clamped
    const review::IntensityWindow lung{-600, 1500};
    EXPECT_NEAR(review::windowToUnit(-600, lung), 0.5F, 1e-6);
}

TEST(LesionCrop, SmallLesionIsCroppedOverTheTrainingFieldAroundItsCentre) {
    const auto series = demoSeries();
    const auto n = dicom::demoNodules().at(0);
    // A 128-pixel model sees the field at native resolution ...
    const auto native = review::cropLesion(series, n.slice, {n.x - 8, n.y - 8, 17, 17}, 128);
    EXPECT_DOUBLE_EQ(native.span, review::kCropFieldPixels);
    EXPECT_DOUBLE_EQ(native.scale(), 1.0);
    EXPECT_NEAR(native.image.at(64, 64), review::windowToUnit(series.at(n.slice, n.y, n.x), {}), 0.02);
    // ... a 64-pixel model the same field at half resolution (as `flowseg synth --size 64` draws it).
    const auto crop = review::cropLesion(series, n.slice, {n.x - 8, n.y - 8, 17, 17}, 64);
    EXPECT_EQ(crop.image.width, 64);
    EXPECT_DOUBLE_EQ(crop.span, review::kCropFieldPixels);
    EXPECT_DOUBLE_EQ(crop.scale(), 2.0);
    // The solid nodule (+40 HU) sits in the middle: bright; the lung 40 px away: dark.
    const float centre = crop.image.at(32, 32);
    EXPECT_NEAR(centre, review::windowToUnit(series.at(n.slice, n.y, n.x), {}), 0.02);
    EXPECT_GT(centre, 0.35F);
    EXPECT_LT(crop.image.at(32, 52), 0.1F);
}

TEST(LesionCrop, LargeLesionShrinksToFitAndOutsideReadsAsAir) {
    const auto series = demoSeries();
    const auto crop = review::cropLesion(series, 5, {0, 0, 96, 60}, 32);
    EXPECT_DOUBLE_EQ(crop.span, 96 / review::kLesionFractionOfCrop);
    EXPECT_NEAR(crop.scale(), 8.0, 1e-9);
    // The crop's corner lies outside the slice: air.
    EXPECT_NEAR(crop.image.at(0, 0), review::windowToUnit(-1000, {}), 1e-5);
}

TEST(LesionCrop, MaskGoesBackToTheSliceWhereItCameFrom) {
    const auto series = demoSeries();
    const auto crop = review::cropLesion(series, 3, {100, 100, 50, 50}, 32);  // scale 50/0.375/32 = 4.17
    EXPECT_NEAR(crop.scale(), 50 / review::kLesionFractionOfCrop / 32, 1e-9);
    engine::Mask disc(32, 32);
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) disc.at(y, x) = std::hypot(x - 15.5, y - 15.5) < 6;
    const auto onSlice = review::maskOnSlice(crop, disc, series.width, series.height);
    const double expected = disc.area() * crop.scale() * crop.scale();
    EXPECT_NEAR(static_cast<double>(onSlice.area()), expected, expected * 0.05);
    EXPECT_EQ(onSlice.at(125, 125), 1);  // the box centre
    EXPECT_EQ(onSlice.at(100, 100), 0);
}

TEST(LesionCrop, BadRequestsAreRefusedWithAReason) {
    const auto series = demoSeries();
    EXPECT_THROW((void)review::cropLesion(series, 0, {10, 10, 0, 5}, 32), std::invalid_argument);
    EXPECT_THROW((void)review::cropLesion(series, 40, {10, 10, 5, 5}, 32), std::invalid_argument);
    EXPECT_THROW((void)review::cropLesion(series, -1, {10, 10, 5, 5}, 32), std::invalid_argument);
    try {
        (void)review::cropLesion(series, 0, {10, 10, 0, 0}, 32);
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("drag a box"), std::string::npos);
    }
}

TEST(ModelLocation, EnvironmentFirstAndAClearErrorWhenNothingExists) {
    const auto dir = fs::temp_directory_path() / "flowseg-model-location";
    fs::create_directories(dir);
    const auto model = (dir / "mine.fsm").string();
    std::ofstream(model) << "x";
    setenv("FLOWSEG_MODEL", model.c_str(), 1);
    EXPECT_EQ(review::findDefaultModel((dir / "bin").string()), model);
    setenv("FLOWSEG_MODEL", (dir / "missing.fsm").string().c_str(), 1);
    const auto candidates = review::defaultModelCandidates((dir / "bin").string());
    EXPECT_EQ(candidates.front(), (dir / "missing.fsm").string());
    EXPECT_EQ(candidates.at(1), (dir / "share" / "flowseg" / "models" / "default.fsm").string());
    // Named but missing: an error that names it, never another model in its place.
    try {
        (void)review::findDefaultModel((dir / "bin").string());
        ADD_FAILURE() << "a missing FLOWSEG_MODEL was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.fsm"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("FLOWSEG_MODEL"), std::string::npos) << e.what();
    }
    unsetenv("FLOWSEG_MODEL");
    fs::remove_all(dir);
}
