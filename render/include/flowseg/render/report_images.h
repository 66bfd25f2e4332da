#pragma once
// The pictures of a lesion's report section, each cropped to the lesion and drawn
// with the slice's true pixel aspect. The report writer draws them; tests/ui
// compares them with golden PNGs.

#include <QImage>
#include <QRectF>

#include "flowseg/dicom/series.h"
#include "flowseg/review/report_data.h"

namespace flowseg::render::report {

/// The square region around the lesion shown in the report (slice pixels): the
/// lesion's box and its crop, with a margin, at least 24 mm across.
QRectF lesionRegion(const review::ReportLesion& lesion, const dicom::Series& series);

/// The slice (lung window) with every expert's outline in their colour and the
/// samples' outlines in thin cyan.
QImage outlinesImage(const review::ReportLesion& lesion, const dicom::Series& series,
                     const QRectF& region);

/// The slice with the p(1 - p) heatmap over the crop, and the colour bar below.
QImage heatmapImage(const review::ReportLesion& lesion, const dicom::Series& series,
                    const QRectF& region);

/// Every sample's outline on the lesion region, in a grid (five per row).
QImage galleryImage(const review::ReportLesion& lesion, const dicom::Series& series,
                    const QRectF& region);

/// The mean ODE state at up to `frames` times from t = 0 (noise) to 1 (masks),
/// side by side, each labelled with its t. Null when no trajectory was recorded.
QImage trajectoryStrip(const review::ReportLesion& lesion, const dicom::Series& series,
                       const QRectF& region, int frames = 6);

}  // namespace flowseg::render::report
