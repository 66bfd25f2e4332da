#pragma once
// What the expert tools do to an outline on a slice: brush and eraser strokes
// with a size in millimetres (an ellipse in pixels where pixels are not square),
// a brush that paints only within an HU range, filled polygons (clicked or
// freehand), and filling holes. Pure functions on slice-sized masks; the
// session makes each call one undo step. Plain C++.

#include <vector>

#include "flowseg/common/types.h"
#include "flowseg/dicom/series.h"
#include "flowseg/review/geometry.h"

namespace flowseg::review {

/// A point on the slice in pixel coordinates (pixel (x, y) spans [x, x+1) x [y, y+1)).
struct SlicePoint {
    double x = 0;
    double y = 0;
};

/// The brush's half-widths in pixels for a radius in mm: (radius / column
/// spacing, radius / row spacing).
SlicePoint brushRadiusInPixels(double radiusMm, const PixelSpacing& spacing);

/// Sets (`value` true: brush) or clears (false: eraser) every pixel whose centre
/// lies within `radiusMm` of the stroke `path` (one point: a dab).
void paintStroke(common::Mask& mask, const std::vector<SlicePoint>& path, double radiusMm,
                 const PixelSpacing& spacing, bool value);

/// The brush limited to an HU range: paints pixels under the stroke whose value
/// on `slice` of `series` lies in [lowHu, highHu]; leaves the others as they are.
void paintStrokeWithin(common::Mask& mask, const std::vector<SlicePoint>& path, double radiusMm,
                       const PixelSpacing& spacing, const dicom::Series& series, int slice,
                       double lowHu, double highHu);

/// Sets (or clears) every pixel whose centre lies inside the closed polygon
/// (even-odd rule; at least three points).
void fillPolygon(common::Mask& mask, const std::vector<SlicePoint>& polygon, bool value = true);

/// The outline with every hole (background not connected to the slice border,
/// 4-connectivity) filled.
[[nodiscard]] common::Mask fillHoles(const common::Mask& mask);

/// The series' pixel spacing (nominal 1 mm when the files do not give it).
PixelSpacing spacingOf(const dicom::Series& series);

}  // namespace flowseg::review
