#include "flowseg/engine/resample.h"

#include <string>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

int fitFactor(int width, int height, int modelSide) {
    const auto size = std::to_string(width) + "x" + std::to_string(height);
    const auto model = std::to_string(modelSide) + "x" + std::to_string(modelSide);
    if (modelSide < 1 || width < 1 || height < 1) throw InvalidInput("empty image or model size");
    if (width != height)
        throw InvalidInput("the crop is " + size + " but must be square (the model expects " +
                           model + ")");
    if (width % modelSide != 0)
        throw InvalidInput("the crop is " + size + " but the model expects " + model +
                           " or a whole multiple of it (crop or resample the lesion first)");
    return width / modelSide;
}

ImageF boxDownsample(const ImageF& image, int k) {
    if (k < 1 || image.width % k != 0 || image.height % k != 0)
        throw InvalidInput("boxDownsample: the image side is not a multiple of " +
                           std::to_string(k));
    if (k == 1) return image;
    ImageF out(image.height / k, image.width / k);
    const float area = static_cast<float>(k * k);
    for (int y = 0; y < out.height; ++y)
        for (int x = 0; x < out.width; ++x) {
            float sum = 0;
            for (int dy = 0; dy < k; ++dy)
                for (int dx = 0; dx < k; ++dx) sum += image.at(y * k + dy, x * k + dx);
            out.at(y, x) = sum / area;
        }
    return out;
}

Mask replicate(const Mask& mask, int k) {
    if (k < 1) throw InvalidInput("replicate: factor must be at least 1");
    if (k == 1) return mask;
    Mask out(mask.height * k, mask.width * k);
    for (int y = 0; y < out.height; ++y)
        for (int x = 0; x < out.width; ++x) out.at(y, x) = mask.at(y / k, x / k);
    return out;
}

}  // namespace flowseg::engine
