#pragma once
// From a marked lesion on a CT slice to the model's input: a square crop around
// the region, resampled to the model's side and windowed to [0, 1] the way the
// training data looks (DESIGN.md "The method", "Data formats"). Plain C++, no Qt.

#include "flowseg/db/records.h"
#include "flowseg/dicom/series.h"
#include "flowseg/engine/types.h"

namespace flowseg::review {

/// The CT window that feeds the model: HU -1000 .. 1600 (C 300, W 2600). It is
/// not the lung display window (C -600, W 1500): it is calibrated so that a CT
/// crop looks like the synthetic training crops and the public 8-bit LIDC crops
/// DESIGN.md measures — parenchyma (-860 HU) at 0.054 (synthetic background
/// 0.055, LIDC median 16/255), soft tissue (+35 HU) at 0.40 (synthetic walls
/// 0.36-0.48), a solid nodule 0.35 above the lung (synthetic contrast 0.25-0.5),
/// ground glass (-550 HU) 0.12 above (faint synthetic lesions 0.05-0.16).
/// docs/ENGINE.md "Model input" has the measurements.
struct IntensityWindow {
    double center = 300;
    double width = 2600;
};

/// The field a crop covers, in slice pixels, at the least: what the training
/// crops show. `flowseg synth` draws the same 128-pixel field at every --size
/// (lesions, walls and vessels scale by size/128), like the public 128 x 128
/// LIDC crops at native resolution; so a 128-pixel model sees this field at
/// native resolution and a 64-pixel model sees it at half resolution.
inline constexpr double kCropFieldPixels = 128;

/// How much of the crop a lesion's larger side may fill before the crop grows
/// (the synthetic training nodules span at most ~3/16 of the field; a drawn box
/// is looser than the lesion).
inline constexpr double kLesionFractionOfCrop = 0.375;

struct LesionCrop {
    engine::ImageF image;  ///< side x side of the model, values in [0, 1]
    int slice = 0;
    double originX = 0;    ///< slice coordinates (pixels) of the crop's top-left corner
    double originY = 0;
    double span = 0;       ///< slice pixels covered by the crop's side
    /// Slice pixels per crop pixel.
    [[nodiscard]] double scale() const { return image.width > 0 ? span / image.width : 0; }
};

/// Crops `roi` (slice pixel coordinates) on `slice`, centred on the region, over
/// kCropFieldPixels when the lesion is small and over a field large enough that
/// it fills at most kLesionFractionOfCrop when it is large, resampled to
/// modelSide x modelSide (bilinear, box-filtered when shrinking). Pixels outside the slice read as air.
/// Throws std::invalid_argument for an empty region, a slice out of range or a
/// model side below 8.
LesionCrop cropLesion(const dicom::Series& series, int slice, const db::BoundingBox& roi, int modelSide,
                      const IntensityWindow& window = {});

/// HU -> [0, 1] through `window`, clamped.
float windowToUnit(float hu, const IntensityWindow& window);

/// A crop-space mask drawn back onto the slice grid (nearest neighbour), e.g. to
/// store an accepted sample as an annotation of the slice.
engine::Mask maskOnSlice(const LesionCrop& crop, const engine::Mask& cropMask, int sliceWidth, int sliceHeight);

}  // namespace flowseg::review
