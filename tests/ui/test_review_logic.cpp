// The plain C++ review logic: from a marked box on a CT slice to the model's
// input crop and back, and where the default model is looked for.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
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

}  // namespace

TEST(LesionCrop, WindowMapsLungWindowToUnitRange) {
    const review::IntensityWindow lung;
    EXPECT_FLOAT_EQ(review::windowToUnit(-1350, lung), 0.0F);
    EXPECT_FLOAT_EQ(review::windowToUnit(150, lung), 1.0F);
    EXPECT_NEAR(review::windowToUnit(-600, lung), 0.5F, 1e-6);
    EXPECT_FLOAT_EQ(review::windowToUnit(3000, lung), 1.0F);  // clamped
}

TEST(LesionCrop, SmallLesionIsCroppedAtNativeResolutionAroundItsCentre) {
    const auto series = demoSeries();
    const auto n = dicom::demoNodules().at(0);
    const auto crop = review::cropLesion(series, n.slice, {n.x - 8, n.y - 8, 17, 17}, 64);
    EXPECT_EQ(crop.image.width, 64);
    EXPECT_DOUBLE_EQ(crop.span, 64.0);
    EXPECT_DOUBLE_EQ(crop.scale(), 1.0);
    // The solid nodule (+40 HU) sits in the middle: bright; the lung 20 px away: dark.
    const float centre = crop.image.at(32, 32);
    EXPECT_NEAR(centre, review::windowToUnit(series.at(n.slice, n.y, n.x), {}), 0.08);
    EXPECT_GT(centre, 0.8F);
    EXPECT_LT(crop.image.at(32, 52), 0.45F);
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
    const auto crop = review::cropLesion(series, 3, {100, 100, 40, 40}, 32);  // scale 40/0.375/32 = 3.33
    engine::Mask disc(32, 32);
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) disc.at(y, x) = std::hypot(x - 15.5, y - 15.5) < 6;
    const auto onSlice = review::maskOnSlice(crop, disc, series.width, series.height);
    const double expected = disc.area() * crop.scale() * crop.scale();
    EXPECT_NEAR(static_cast<double>(onSlice.area()), expected, expected * 0.05);
    EXPECT_EQ(onSlice.at(120, 120), 1);  // the box centre
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
    unsetenv("FLOWSEG_MODEL");
    fs::remove_all(dir);
}
