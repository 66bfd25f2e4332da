#pragma once
// From a marked lesion on a CT slice to the model's input: a square crop around
// the region, resampled to the model's side and windowed to [0, 1] exactly as the
// training data (a lung window, DESIGN.md "The method"). Plain C++, no Qt.

#include "flowseg/db/records.h"
#include "flowseg/dicom/series.h"
#include "flowseg/engine/types.h"

namespace flowseg::review {

/// The CT window the shipped models were trained with (lung: C -600, W 1500 HU).
struct IntensityWindow {
    double center = -600;
    double width = 1500;
};

/// How much of the crop a lesion's larger side may fill before the crop grows
/// (the synthetic training nodules span at most ~3/8 of a 128-pixel crop).
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

/// Crops `roi` (slice pixel coordinates) on `slice`, centred on the region, at the
/// native resolution when the lesion is small and shrunk so that it fills at most
/// kLesionFractionOfCrop when it is large. Pixels outside the slice read as air.
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
