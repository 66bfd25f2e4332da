#pragma once
// Pure rendering of what the slice view shows: the windowed slice, the
// uncertainty heatmap, sample / expert contours. No widgets, so that the golden
// image tests render exactly what the view paints.

#include <QColor>
#include <QImage>
#include <QLineF>
#include <QPainterPath>
#include <QRectF>
#include <QString>

#include <vector>

#include "flowseg/common/types.h"
#include "flowseg/review/review_session.h"

class QPainter;

namespace flowseg::render {

/// The colour of the k-th expert (by name) in the outlines, legend and report.
[[nodiscard]] QColor expertColour(size_t index);

/// The value at the top of the colour map for a heatmap: p(1-p) peaks at 0.25,
/// entropy (bits) and p at 1.
[[nodiscard]] float heatmapMaximum(review::Heatmap heatmap);

/// Grey 8-bit image of `values` (width x height, HU) through a window.
QImage renderWindowed(const float* values, int width, int height, double center,
                      double windowWidth);
/// Grey image of values in [0, 1].
QImage renderUnitImage(const common::ImageF& image);
/// The inferno table as QRgb (index 0 = lowest).
const std::vector<QRgb>& infernoColours();
/// Colour heatmap of values / maxValue with the given opacity (0..1); pixels with
/// value <= 0 stay transparent, so the anatomy shows where all samples agree.
QImage renderHeatmap(const common::ImageF& values, float maxValue, double opacity);
/// Outline of a binary mask along pixel edges, in mask pixel coordinates.
QPainterPath maskContour(const common::Mask& mask);
/// A square thumbnail: the crop in grey with the mask's outline on top, showing
/// `region` (crop pixels) or, when it is empty, the whole crop.
QImage renderMaskThumbnail(const common::ImageF& crop, const common::Mask& mask, int side,
                           const QColor& colour, const QRectF& region = {});
/// The square part of a crop a gallery shows: the samples' union with a margin
/// (at least `minimumSide` pixels), or the crop's centre (where the lesion is)
/// when every sample is empty; within the crop.
QRectF lesionRegion(const std::vector<common::Mask>& masks, int minimumSide = 32);

struct ContourLayer {
    QPainterPath path;  ///< in the coordinates of the layer (crop or slice pixels)
    QColor colour;
    double width = 1.0;  ///< in screen pixels (cosmetic pen)
};

/// A measured line (a lesion's diameter) with its length written beside it.
struct CaliperLayer {
    QLineF line;  ///< slice pixel coordinates
    QString label;
    QColor colour;
};

/// Everything drawn on top of the slice, in slice pixel coordinates.
struct OverlayScene {
    QRectF cropRect;                          ///< where the crop sits on the slice
    int cropPixels = 0;                       ///< the crop's side in its own pixels (model side)
    QImage heatmap;                           ///< crop-space, already coloured (empty = none)
    QImage trajectory;                        ///< crop-space ODE state (empty = none)
    std::vector<ContourLayer> cropContours;   ///< samples, probability / majority outlines
    std::vector<ContourLayer> sliceContours;  ///< expert annotations, consensus outlines
    std::vector<CaliperLayer> calipers;       ///< the signed-in expert's diameters
    QRectF roi;                               ///< the marked lesion (empty = none)
    bool roiIsDraft = false;                  ///< being dragged right now
};

/// Paints `scene` with `painter` already mapping slice pixels to the target.
void paintOverlay(QPainter& painter, const OverlayScene& scene);

/// The slice with its overlay, `zoom` screen pixels per slice pixel (golden tests,
/// screenshots of one region).
QImage renderSliceWithOverlay(const QImage& slice, const OverlayScene& scene, const QRectF& region,
                              double zoom);

/// Colour bar (inferno) with its range labelled, for reports and tests.
QImage renderColourBar(int width, int height, double maxValue, const QString& label);

}  // namespace flowseg::render
