// The model's one input convention (engine::normalizeCrop): what the review
// window, sample, eval, train and the sampler all feed the network.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "flowseg/engine/error.h"
#include "flowseg/engine/model_input.h"

using namespace flowseg::engine;

namespace {

ImageF ctCrop() {
    // Lung, a nodule, a rib: HU as a CT slice holds them.
    ImageF hu(16, 16, -860.0F);
    for (int y = 6; y < 10; ++y)
        for (int x = 6; x < 10; ++x) hu.at(y, x) = 35.0F;
    hu.at(0, 15) = 700.0F;
    hu.at(15, 0) = -1000.0F;
    return hu;
}

}  // namespace

TEST(ModelInput, ACropIsScaledByItsOwnHuRangeIn8BitSteps) {
    const auto unit = normalizeCrop(ctCrop());
    EXPECT_FLOAT_EQ(unit.at(15, 0), 0.0F);  // the crop's minimum
    EXPECT_FLOAT_EQ(unit.at(0, 15), 1.0F);  // its maximum
    const double nodule = (35.0 + 1000.0) / 1700.0;
    EXPECT_NEAR(unit.at(7, 7), nodule, 0.5 / 255);
    for (const float v : unit.pixels) EXPECT_FLOAT_EQ(v * 255.0F, std::round(v * 255.0F));
}

TEST(ModelInput, NoWindowOnlyTheCropsRangeMatters) {
    // The same anatomy shifted and stretched in value (another scanner's offset,
    // grey values instead of HU) gives the same input.
    auto shifted = ctCrop();
    for (auto& v : shifted.pixels) v = v * 0.01F + 3.0F;
    EXPECT_EQ(normalizeCrop(shifted).pixels, normalizeCrop(ctCrop()).pixels);
}

TEST(ModelInput, ATrainingCropComesBackUnchanged) {
    ImageF png(8, 8);
    for (size_t i = 0; i < png.pixels.size(); ++i)
        png.pixels[i] = static_cast<float>((i * 37) % 256) / 255.0F;
    png.pixels[3] = 0.0F;
    png.pixels[5] = 1.0F;
    EXPECT_EQ(normalizeCrop(png).pixels, png.pixels);
    EXPECT_EQ(normalizeCrop(normalizeCrop(ctCrop())).pixels, normalizeCrop(ctCrop()).pixels);
}

TEST(ModelInput, FlatEmptyAndBrokenCrops) {
    const auto flat = normalizeCrop(ImageF(4, 4, -500.0F));
    EXPECT_TRUE(
        std::all_of(flat.pixels.begin(), flat.pixels.end(), [](float v) { return v == 0.0F; }));
    EXPECT_THROW((void)normalizeCrop(ImageF()), InvalidInput);
    auto broken = ctCrop();
    broken.pixels[5] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW((void)normalizeCrop(broken), InvalidInput);
}
