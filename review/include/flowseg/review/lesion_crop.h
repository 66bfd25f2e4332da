#pragma once
// From a marked lesion on a CT slice to the model's input: a square crop around
// the region at the CT's native pixel spacing, its HU scaled by the crop's own
// minimum and maximum (engine::normalizeCrop — the convention the real LIDC
// training crops were made with; DESIGN.md "Data formats"). Plain C++, no Qt.

#include "flowseg/common/types.h"
#include "flowseg/db/records.h"
#include "flowseg/dicom/series.h"

namespace flowseg::review {

/// What a pixel outside the slice reads as: air.
inline constexpr float kOutsideSliceHu = -1000.0F;

/// The field a crop covers, in slice pixels, at the least: what the training
/// crops show (128 x 128 LIDC crops at the CT's native spacing). A 128-pixel model
/// sees this field at native resolution; a 64-pixel model at half resolution.
inline constexpr double kCropFieldPixels = 128;

/// How much of the crop a lesion's larger side may fill before the crop grows
/// (a drawn box is looser than the lesion; larger lesions are cropped over a
/// larger field and resampled to the model's side, their masks back).
inline constexpr double kLesionFractionOfCrop = 0.375;

struct LesionCrop {
    common::ImageF image;  ///< side x side of the model, in the model's input convention
    int slice = 0;
    double originX = 0;  ///< slice coordinates (pixels) of the crop's top-left corner
    double originY = 0;
    double span = 0;  ///< slice pixels covered by the crop's side
    /// Slice pixels per crop pixel.
    [[nodiscard]] double scale() const { return image.width > 0 ? span / image.width : 0; }
};

/// Crops `roi` (slice pixel coordinates) on `slice`, centred on the region, over
/// kCropFieldPixels when the lesion is small and over a field large enough that
/// it fills at most kLesionFractionOfCrop when it is large, resampled to
/// modelSide x modelSide (bilinear, box-filtered when shrinking), then scaled by
/// its own HU range (engine::normalizeCrop). At native scale the crop's corner
/// sits on a whole slice pixel (the centre rounded half up, as the training
/// crops were cut), so no pixel is interpolated. Pixels outside the slice read as air.
/// Throws std::invalid_argument for an empty region, a slice out of range or a
/// model side below 8.
LesionCrop cropLesion(const dicom::Series& series, int slice, const db::BoundingBox& roi,
                      int modelSide);

/// A rectangle of slice pixels, [x0, x1) x [y0, y1).
struct PixelRect {
    int x0 = 0;
    int y0 = 0;
    int x1 = 0;
    int y1 = 0;
    [[nodiscard]] int width() const { return x1 - x0; }
    [[nodiscard]] int height() const { return y1 - y0; }
};

/// The slice pixels the crop covers, within a sliceWidth x sliceHeight slice.
PixelRect cropFootprint(const LesionCrop& crop, int sliceWidth, int sliceHeight);

/// A crop-space mask drawn back onto the slice grid (nearest neighbour), e.g. to
/// store an accepted sample as an annotation of the slice.
common::Mask maskOnSlice(const LesionCrop& crop, const common::Mask& cropMask, int sliceWidth,
                         int sliceHeight);

/// maskOnSlice over `region` of the slice only (pixel (x, y) of the result is
/// slice pixel (region.x0 + x, region.y0 + y)), without the slice-sized mask.
common::Mask maskOnRegion(const LesionCrop& crop, const common::Mask& cropMask,
                          const PixelRect& region);

/// The reverse: a slice-sized mask (an expert's outline) on the crop's grid, a
/// crop pixel set where at least half of the slice area it covers is (e.g. to
/// train on experts' outlines with the crops the model sees).
common::Mask maskToCrop(const LesionCrop& crop, const common::Mask& sliceMask);

}  // namespace flowseg::review
