#include "flowseg/review/lesion_crop.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "flowseg/engine/model_input.h"

namespace flowseg::review {

LesionCrop cropLesion(const dicom::Series& series, int slice, const db::BoundingBox& roi,
                      int modelSide) {
    if (modelSide < 8)
        throw std::invalid_argument("the model's input side must be at least 8 pixels");
    if (slice < 0 || slice >= series.depth)
        throw std::invalid_argument("slice " + std::to_string(slice + 1) +
                                    " is outside the series (1.." + std::to_string(series.depth) +
                                    ")");
    if (roi.width <= 0 || roi.height <= 0)
        throw std::invalid_argument(
            "the lesion region is empty: drag a box around the lesion first");

    const double extent = std::max(roi.width, roi.height);
    LesionCrop crop;
    crop.slice = slice;
    crop.span = std::max(kCropFieldPixels, extent / kLesionFractionOfCrop);
    const double centerX = roi.x + roi.width / 2.0;
    const double centerY = roi.y + roi.height / 2.0;
    crop.originX = centerX - crop.span / 2.0;
    crop.originY = centerY - crop.span / 2.0;
    if (crop.span == modelSide) {
        // Native scale: whole slice pixels (the centre rounded half up), as the
        // training crops were cut.
        crop.originX = std::floor(centerX + 0.5) - crop.span / 2.0;
        crop.originY = std::floor(centerY + 0.5) - crop.span / 2.0;
    }
    common::ImageF hu(modelSide, modelSide);

    auto sampleAt = [&](int y, int x) {
        if (x < 0 || y < 0 || x >= series.width || y >= series.height) return kOutsideSliceHu;
        return series.at(slice, y, x);
    };
    const double step = crop.span / modelSide;  // slice pixels per crop pixel
    auto bilinear = [&](double sy, double sx) {
        const int y0 = static_cast<int>(std::floor(sy));
        const int x0 = static_cast<int>(std::floor(sx));
        const auto fy = static_cast<float>(sy - y0);
        const auto fx = static_cast<float>(sx - x0);
        const float top = sampleAt(y0, x0) * (1 - fx) + sampleAt(y0, x0 + 1) * fx;
        const float bottom = sampleAt(y0 + 1, x0) * (1 - fx) + sampleAt(y0 + 1, x0 + 1) * fx;
        return top * (1 - fy) + bottom * fy;
    };
    // A crop pixel covers [origin + col*step, origin + (col+1)*step) of the slice;
    // when it covers more than one slice pixel it is the mean over n x n points in
    // it (a box filter: no aliasing of noise and thin vessels when shrinking).
    const int n = std::max(1, static_cast<int>(std::ceil(step - 1e-9)));
    const float weight = 1.0F / static_cast<float>(n * n);
    for (int row = 0; row < modelSide; ++row) {
        for (int col = 0; col < modelSide; ++col) {
            float sum = 0;
            for (int i = 0; i < n; ++i) {
                const double sy = crop.originY + (row + (i + 0.5) / n) * step - 0.5;
                for (int j = 0; j < n; ++j)
                    sum += bilinear(sy, crop.originX + (col + (j + 0.5) / n) * step - 0.5);
            }
            hu.at(row, col) = sum * weight;
        }
    }
    crop.image = engine::normalizeCrop(hu);
    return crop;
}

PixelRect cropFootprint(const LesionCrop& crop, int sliceWidth, int sliceHeight) {
    return {std::max(0, static_cast<int>(std::floor(crop.originX))),
            std::max(0, static_cast<int>(std::floor(crop.originY))),
            std::min(sliceWidth, static_cast<int>(std::ceil(crop.originX + crop.span))),
            std::min(sliceHeight, static_cast<int>(std::ceil(crop.originY + crop.span)))};
}

common::Mask maskOnRegion(const LesionCrop& crop, const common::Mask& cropMask,
                          const PixelRect& region) {
    common::Mask out(std::max(0, region.height()), std::max(0, region.width()));
    const double scale = crop.scale();
    if (scale <= 0 || cropMask.width == 0) return out;
    // The crop's footprint within the region (the slice's edges are the region's).
    const auto covered = cropFootprint(crop, region.x1, region.y1);
    for (int y = std::max(covered.y0, region.y0); y < covered.y1; ++y) {
        const int row = static_cast<int>(std::floor((y + 0.5 - crop.originY) / scale));
        if (row < 0 || row >= cropMask.height) continue;
        for (int x = std::max(covered.x0, region.x0); x < covered.x1; ++x) {
            const int col = static_cast<int>(std::floor((x + 0.5 - crop.originX) / scale));
            if (col < 0 || col >= cropMask.width) continue;
            out.at(y - region.y0, x - region.x0) = cropMask.at(row, col);
        }
    }
    return out;
}

common::Mask maskOnSlice(const LesionCrop& crop, const common::Mask& cropMask, int sliceWidth,
                         int sliceHeight) {
    return maskOnRegion(crop, cropMask, {0, 0, sliceWidth, sliceHeight});
}

common::Mask maskToCrop(const LesionCrop& crop, const common::Mask& sliceMask) {
    common::Mask out(crop.image.height, crop.image.width);
    const double step = crop.scale();
    if (step <= 0) return out;
    const int n = std::max(1, static_cast<int>(std::ceil(step - 1e-9)));
    const auto at = [&](double sy, double sx) {
        const int y = static_cast<int>(std::floor(sy)), x = static_cast<int>(std::floor(sx));
        return x >= 0 && y >= 0 && x < sliceMask.width && y < sliceMask.height &&
               sliceMask.at(y, x) != 0;
    };
    for (int row = 0; row < out.height; ++row)
        for (int col = 0; col < out.width; ++col) {
            int inside = 0;
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j)
                    inside += at(crop.originY + (row + (i + 0.5) / n) * step,
                                 crop.originX + (col + (j + 0.5) / n) * step);
            out.at(row, col) = 2 * inside >= n * n ? 1 : 0;
        }
    return out;
}

}  // namespace flowseg::review
