#pragma once
// Millimetre geometry of outlines on a CT slice: area, the longest diameter and
// the longest diameter perpendicular to it (the RECIST / WHO numbers a
// radiologist reports), and volume over consecutive slices. A pixel is a
// rectangle of column x row spacing mm (DICOM PixelSpacing). Plain C++.

#include <optional>
#include <vector>

#include "flowseg/common/types.h"

namespace flowseg::review {

struct PixelSpacing {
    double row = 1;     ///< mm between rows (along y; DICOM PixelSpacing[0])
    double column = 1;  ///< mm between columns (along x; PixelSpacing[1])
    double slice = 1;   ///< mm between slices
    /// True when the series did not say (shown as "nominal" wherever mm are).
    bool nominal = false;
};

/// A measured line on the slice, in slice pixel coordinates (pixel centres at
/// whole numbers + 0.5), for drawing the calipers.
struct Caliper {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    double mm = 0;
};

struct OutlineMeasures {
    long pixels = 0;
    double areaMm2 = 0;
    Caliper longest;        ///< longest diameter
    Caliper perpendicular;  ///< longest chord perpendicular to it
};

/// Area and diameters of `mask` (empty mask: all zero). Both diameters are taken
/// on the outline's boundary, the midpoints of the pixel edges between it and the
/// outside: the longest is the farthest pair of boundary points, the
/// perpendicular one the outline's largest extent across the long axis, on lines
/// perpendicular to it. Within one pixel of the drawn shape's true diameters.
OutlineMeasures measureOutline(const common::Mask& mask, const PixelSpacing& spacing);

/// Σ area × slice spacing over the outlines of one lesion on consecutive slices
/// (the slices' indices given): nullopt when fewer than two slices are outlined
/// or they are not consecutive (a volume needs a continuous stack).
std::optional<double> volumeMm3(const std::vector<std::pair<int, const common::Mask*>>& slices,
                                const PixelSpacing& spacing);

/// The smallest and largest of `values` (both 0 when empty): a quantity's range
/// across the model's samples.
struct Range {
    double min = 0;
    double max = 0;
};
Range rangeOf(const std::vector<double>& values);

}  // namespace flowseg::review
