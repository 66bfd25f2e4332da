// The plain C++ review logic: from a marked box on a CT slice to the model's
// input crop and back, and where the default model is looked for.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/model_location.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/imaging/image_io.h"
#include "flowseg/review/lesion_crop.h"

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

/// The crop's HU range, read back from the slice over the crop's own field (native scale).
std::pair<float, float> huRange(const dicom::Series& series, const review::LesionCrop& crop) {
    float lo = 1e9F, hi = -1e9F;
    for (int y = 0; y < crop.image.height; ++y)
        for (int x = 0; x < crop.image.width; ++x) {
            const int sy = static_cast<int>(crop.originY) + y,
                      sx = static_cast<int>(crop.originX) + x;
            const bool inside = sx >= 0 && sy >= 0 && sx < series.width && sy < series.height;
            const float hu = inside ? series.at(crop.slice, sy, sx) : review::kOutsideSliceHu;
            lo = std::min(lo, hu);
            hi = std::max(hi, hu);
        }
    return {lo, hi};
}

}  // namespace

TEST(LesionCrop, ACtCropIsItsOwnHuRangeScaledToTheUnitRange) {
    // The model's input convention (the real LIDC training crops): the crop's HU
    // scaled min -> 0, max -> 1 in 8-bit steps, no window.
    const auto series = demoSeries();
    for (const auto& n : dicom::demoNodules()) {
        SCOPED_TRACE(n.kind);
        const auto crop = review::cropLesion(series, n.slice, {n.x - 8, n.y - 8, 17, 17}, 128);
        ASSERT_DOUBLE_EQ(crop.scale(), 1.0);
        const auto [lo, hi] = huRange(series, crop);
        const auto [min, max] =
            std::minmax_element(crop.image.pixels.begin(), crop.image.pixels.end());
        EXPECT_FLOAT_EQ(*min, 0.0F);
        EXPECT_FLOAT_EQ(*max, 1.0F);
        const float centre = (series.at(n.slice, n.y, n.x) - lo) / (hi - lo);
        EXPECT_NEAR(crop.image.at(static_cast<int>(n.y - crop.originY),
                                  static_cast<int>(n.x - crop.originX)),
                    centre, 0.5 / 255 + 1e-6);
        // The nodule is brighter than the lung around it.
        EXPECT_GT(centre - percentile(crop.image.pixels, 0.25), 0.05F);
    }
}

namespace {

// Mean IoU of the shipped student's samples with its teacher's from the same
// noise on the LIDC-IDRI-0004 slice (measured: see models/README.md "The fast sampler").
constexpr double kStudentTeacherIou = 0.7;
// ... and the largest difference of their GEDs against the four readers there.
constexpr double kStudentTeacherGed = 0.05;

// ../shared/data/lidc-idri-0004 (one real nodule, four readers), where present:
// slice 3 in HU, the readers' union and its centroid.
struct LidcSlice {
    dicom::Series series;
    std::vector<common::Mask> readers;  ///< the four LIDC readers' outlines
    std::vector<float> insideHu;        ///< HU under the readers' union
    /// The lesion's box as the store keeps it: around every reader's outline on
    /// every slice of the nodule (x 136-144, y 318-325 on its five slices).
    db::BoundingBox readersBox;
    int cx = 0, cy = 0;
};

std::optional<LidcSlice> lidcSlice() {
    const fs::path root =
        fs::path(FLOWSEG_SOURCE_DIR) / ".." / "shared" / "data" / "lidc-idri-0004";
    const std::string study = "191425307197546732281885591780";
    if (!fs::exists(root / "images" / study / "slice3.tif")) return std::nullopt;
    const auto image = imaging::readGrayImage((root / "images" / study / "slice3.tif").string());
    LidcSlice s;
    s.series.width = image.width;
    s.series.height = image.height;
    s.series.depth = 1;
    for (const float v : image.pixels)
        s.series.values.push_back(std::round(v * 65535.0F) - 1024.0F);  // HU
    common::Mask marked(image.height, image.width);
    for (int k = 1; k <= 4; ++k) {
        const auto reader = imaging::readMask(
            (root / "gts" / study / "slice3" / ("GT_id" + std::to_string(k) + ".tif")).string());
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
    int x0 = marked.width, y0 = marked.height, x1 = -1, y1 = -1;
    for (int slice = 1; slice <= 5; ++slice)
        for (int k = 1; k <= 4; ++k) {
            const auto reader =
                imaging::readMask((root / "gts" / study / ("slice" + std::to_string(slice)) /
                                   ("GT_id" + std::to_string(k) + ".tif"))
                                      .string());
            for (int y = 0; y < reader.height; ++y)
                for (int x = 0; x < reader.width; ++x)
                    if (reader.at(y, x) != 0)
                        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x),
                        y1 = std::max(y1, y);
        }
    s.readersBox = {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    if (s.insideHu.empty()) return std::nullopt;
    s.cx = static_cast<int>(cx / static_cast<double>(s.insideHu.size()));
    s.cy = static_cast<int>(cy / static_cast<double>(s.insideHu.size()));
    return s;
}

}  // namespace

namespace {

/// The shipped training crop of the same slice (LIDC-IDRI-0004 nodule-0 slice-2,
/// ../shared/data/lidc-crops), extracted from its shard; nullopt where absent.
std::optional<common::ImageF> shippedTrainingCrop() {
    const fs::path shard = fs::path(FLOWSEG_SOURCE_DIR) / ".." / "shared" / "data" / "lidc-crops" /
                           "lidc-crops-0001-0128.tar.gz";
    if (!fs::exists(shard)) return std::nullopt;
    const auto dir =
        fs::temp_directory_path() / ("flowseg_lidc_crop_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string name = "LIDC-IDRI-0004_nodule-0_slice-2/image.png";
    const auto command = "tar -xzf '" + shard.string() + "' -C '" + dir.string() + "' " + name;
    if (std::system(command.c_str()) != 0) return std::nullopt;
    auto image = imaging::readGrayImage((dir / name).string());
    fs::remove_all(dir);
    return image;
}

}  // namespace

TEST(LesionCrop, TheAppCropsARealNoduleExactlyAsTheTrainingCropsWereMade) {
    // Issue 17: the window's crop of ../shared/data/lidc-idri-0004 slice 3, boxed
    // around its four readers' outlines (the nodule's box over its slices, as a
    // lesion is stored), is the shipped training crop of that slice.
    const auto lidc = lidcSlice();
    if (!lidc) GTEST_SKIP() << "no ../shared/data/lidc-idri-0004";
    const auto shipped = shippedTrainingCrop();
    if (!shipped) GTEST_SKIP() << "no ../shared/data/lidc-crops";
    const auto crop = review::cropLesion(lidc->series, 0, lidc->readersBox, 128);
    ASSERT_EQ(shipped->width, 128);
    ASSERT_EQ(shipped->height, 128);
    EXPECT_DOUBLE_EQ(crop.originX, 77);  // DICOM columns 77-204, rows 258-385 (the data's README)
    EXPECT_DOUBLE_EQ(crop.originY, 258);
    double worst = 0;
    int off = 0;
    for (size_t i = 0; i < crop.image.pixels.size(); ++i) {
        const double d = std::abs(crop.image.pixels[i] - shipped->pixels[i]);
        worst = std::max(worst, d);
        off += d > 0.5 / 255 ? 1 : 0;
    }
    std::printf(
        "app crop vs shipped crop: largest difference %.4f (%.1f grey levels), %d of %zu pixels "
        "differ\n",
        worst, worst * 255, off, crop.image.pixels.size());
    EXPECT_LE(worst, 1.0 / 255 + 1e-6) << "more than one grey level apart somewhere";
    EXPECT_LT(off, static_cast<int>(crop.image.pixels.size()) / 100)
        << "more than 1 % of pixels differ";
}

TEST(LesionCrop, TheShippedStudentDrawsItsTeachersSamplesFromTheSameNoise) {
    // The fast default (the distilled student's 2 jumps, one branch, guidance
    // an input) against the full sampler its file carries (the teacher, two
    // branches, midpoint 8) from the same noise, on real anatomy: sample k of
    // one is sample k of the other, within the stated tolerance.
    const auto lidc = lidcSlice();
    if (!lidc) GTEST_SKIP() << "no ../shared/data/lidc-idri-0004";
    const auto modelPath = fs::path(FLOWSEG_SOURCE_DIR) / "models" / "default.fsm";
    if (!fs::exists(modelPath)) GTEST_SKIP() << "no shipped model";
    const auto model = engine::Model::load(modelPath.string(), "cpu");
    ASSERT_TRUE(model->options().isStudent()) << "the shipped model is the fast sampler";
    const auto crop = review::cropLesion(lidc->series, 0, {lidc->cx - 6, lidc->cy - 6, 13, 13},
                                         static_cast<int>(model->options().image_size()));
    const auto fast = engine::SamplingOptions::fastDefault(model->options());
    const auto full = engine::SamplingOptions::fastDefault();  // midpoint 8: the teacher
    const auto student = engine::Sampler(model).sample(crop.image, fast);
    const auto teacher = engine::Sampler(model).sample(crop.image, full);
    EXPECT_EQ(student.networkPasses, 2 * fast.samples);
    EXPECT_EQ(teacher.networkPasses, 2 * 16 * full.samples);
    double iou = 0;
    for (size_t k = 0; k < student.masks.size(); ++k) {
        const auto& a = student.masks[k];
        const auto& b = teacher.masks[k];
        int both = 0, either = 0;
        for (size_t i = 0; i < a.pixels.size(); ++i) {
            both += (a.pixels[i] != 0) && (b.pixels[i] != 0);
            either += (a.pixels[i] != 0) || (b.pixels[i] != 0);
        }
        iou += either == 0 ? 1.0 : static_cast<double>(both) / either;
    }
    iou /= static_cast<double>(student.masks.size());
    // And as a distribution, against the four readers.
    const auto ged = [&](const engine::SamplingResult& r) {
        std::vector<common::Mask> onSlice;
        for (const auto& m : r.masks)
            onSlice.push_back(
                review::maskOnSlice(crop, m, lidc->series.width, lidc->series.height));
        return engine::evaluateCase(onSlice, lidc->readers).ged;
    };
    const double studentGed = ged(student);
    const double teacherGed = ged(teacher);
    std::printf(
        "student vs teacher, sample by sample from the same noise: mean IoU %.3f; GED %.3f vs "
        "%.3f\n",
        iou, studentGed, teacherGed);
    EXPECT_GT(iou, kStudentTeacherIou);
    EXPECT_LT(std::abs(studentGed - teacherGed), kStudentTeacherGed);
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
    const auto crop =
        review::cropLesion(lidc->series, 0, {lidc->cx - 6, lidc->cy - 6, 13, 13}, side);
    const auto result = engine::Sampler(model).sample(
        crop.image, engine::SamplingOptions::fastDefault(model->options()));
    std::vector<common::Mask> onSlice;
    for (const auto& m : result.masks)
        if (m.area() > 0)
            onSlice.push_back(
                review::maskOnSlice(crop, m, lidc->series.width, lidc->series.height));
    ASSERT_GE(onSlice.size(), result.masks.size() / 2) << "most samples are empty";
    const auto m = engine::evaluateCase(onSlice, lidc->readers);
    std::printf(
        "LIDC-IDRI-0004 slice 3, %zu non-empty samples: GED %.3f, D_max %.3f, Dice %.3f, "
        "single-mask GED %.3f\n",
        onSlice.size(), m.ged, m.dMax, m.dice, m.singleMaskGed);
    EXPECT_GT(m.dMax, 0.4);  // every reader has a sample that overlaps well
    for (const auto& mask : onSlice) {
        double cx = 0, cy = 0;
        for (int y = 0; y < mask.height; ++y)
            for (int x = 0; x < mask.width; ++x)
                if (mask.at(y, x) != 0) {
                    cx += x;
                    cy += y;
                }
        cx /= mask.area();
        cy /= mask.area();
        EXPECT_LT(std::hypot(cx - lidc->cx, cy - lidc->cy), 6.0) << "a sample off the nodule";
        EXPECT_LT(mask.area(), 4 * 44) << "a sample far larger than any reader's outline";
    }
}

TEST(LesionCrop, SmallLesionIsCroppedOverTheTrainingFieldAroundItsCentre) {
    const auto series = demoSeries();
    const auto n = dicom::demoNodules().at(0);
    // A 128-pixel model sees the field at native resolution ...
    const auto native = review::cropLesion(series, n.slice, {n.x - 8, n.y - 8, 17, 17}, 128);
    EXPECT_DOUBLE_EQ(native.span, review::kCropFieldPixels);
    EXPECT_DOUBLE_EQ(native.scale(), 1.0);
    const auto range = huRange(series, native);
    const auto unit = [&range](float hu) {
        return (hu - range.first) / (range.second - range.first);
    };
    EXPECT_NEAR(native.image.at(n.y - static_cast<int>(native.originY),
                                n.x - static_cast<int>(native.originX)),
                unit(series.at(n.slice, n.y, n.x)), 0.5 / 255 + 1e-6);
    // ... a 64-pixel model the same field at half resolution (as `flowseg synth --size 64` draws
    // it).
    const auto crop = review::cropLesion(series, n.slice, {n.x - 8, n.y - 8, 17, 17}, 64);
    EXPECT_EQ(crop.image.width, 64);
    EXPECT_DOUBLE_EQ(crop.span, review::kCropFieldPixels);
    EXPECT_DOUBLE_EQ(crop.scale(), 2.0);
    // The solid nodule (+40 HU) sits in the middle: bright; the lung 40 px away: dark.
    const float centre = crop.image.at(32, 32);
    EXPECT_NEAR(centre, unit(series.at(n.slice, n.y, n.x)),
                0.1);  // a 2 x 2 mean at the nodule's core
    EXPECT_GT(centre - crop.image.at(32, 52), 0.3F);
}

TEST(LesionCrop, LargeLesionShrinksToFitAndOutsideReadsAsAir) {
    const auto series = demoSeries();
    const auto crop = review::cropLesion(series, 5, {0, 0, 96, 60}, 32);
    EXPECT_DOUBLE_EQ(crop.span, 96 / review::kLesionFractionOfCrop);
    EXPECT_NEAR(crop.scale(), 8.0, 1e-9);
    // The crop's corner lies outside the slice: air, among the darkest things in a chest CT.
    EXPECT_LT(crop.image.at(0, 0), 0.02F);
}

TEST(LesionCrop, MaskGoesBackToTheSliceWhereItCameFrom) {
    const auto series = demoSeries();
    const auto crop =
        review::cropLesion(series, 3, {100, 100, 50, 50}, 32);  // scale 50/0.375/32 = 4.17
    EXPECT_NEAR(crop.scale(), 50 / review::kLesionFractionOfCrop / 32, 1e-9);
    common::Mask disc(32, 32);
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
    EXPECT_EQ(engine::findDefaultModel((dir / "bin").string()), model);
    setenv("FLOWSEG_MODEL", (dir / "missing.fsm").string().c_str(), 1);
    const auto candidates = engine::defaultModelCandidates((dir / "bin").string());
    EXPECT_EQ(candidates.front(), (dir / "missing.fsm").string());
    EXPECT_EQ(candidates.at(1), (dir / "share" / "flowseg" / "models" / "default.fsm").string());
    // Named but missing: an error that names it, never another model in its place.
    try {
        (void)engine::findDefaultModel((dir / "bin").string());
        ADD_FAILURE() << "a missing FLOWSEG_MODEL was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.fsm"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("FLOWSEG_MODEL"), std::string::npos) << e.what();
    }
    unsetenv("FLOWSEG_MODEL");
    fs::remove_all(dir);
}
