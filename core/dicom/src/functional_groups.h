#pragma once
// Attributes that enhanced multi-frame objects keep in functional groups
// (per-frame, else shared), falling back to the top-level dataset.

#include <dcmtk/dcmdata/dctk.h>
#include <array>
#include <optional>

namespace flowseg::dicom {

struct Rescale {
    double slope = 1.0;
    double intercept = 0.0;
};

/// The item of macro `sequence` for `frame`: per-frame group first, then shared.
DcmItem* functionalGroupItem(DcmItem& data, int frame, const DcmTagKey& sequence);

Rescale rescaleForFrame(DcmItem& data, int frame);
std::optional<std::array<double, 3>> positionForFrame(DcmItem& data, int frame);
std::optional<std::array<double, 6>> orientationForFrame(DcmItem& data, int frame);
std::optional<std::array<double, 2>> pixelSpacingForFrame(DcmItem& data, int frame);

}  // namespace flowseg::dicom
