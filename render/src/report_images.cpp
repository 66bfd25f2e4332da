#include "flowseg/render/report_images.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

#include "flowseg/render/overlay_renderer.h"
#include "flowseg/review/lesion_crop.h"

namespace flowseg::render::report {

namespace {

constexpr int kSide = 300;  // the width of a region picture, in image pixels

double aspectOf(const dicom::Series& series) {
    return series.geometry.columnSpacing > 0
               ? series.geometry.rowSpacing / series.geometry.columnSpacing
               : 1.0;
}

/// The region of `slice` in the lung window, `width` pixels wide, true aspect,
/// with `paint` drawing more on it in slice pixel coordinates.
template <typename Paint>
QImage regionImage(const dicom::Series& series, int slice, const QRectF& region, int width,
                   Paint paint) {
    const double zoom = width / region.width();
    const double aspect = aspectOf(series);
    QImage out(width, static_cast<int>(std::lround(region.height() * zoom * aspect)),
               QImage::Format_RGB32);
    out.fill(Qt::black);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.scale(zoom, zoom * aspect);
    painter.translate(-region.topLeft());
    const float* values =
        series.values.data() + static_cast<size_t>(slice) * series.width * series.height;
    painter.drawImage(QPointF(0, 0),
                      renderWindowed(values, series.width, series.height, -600, 1500));
    paint(painter);
    return out;
}

std::vector<ContourLayer> expertLayers(const review::ReportLesion& lesion, int slice) {
    std::vector<ContourLayer> out;
    const auto layers = lesion.outlines.layers();
    for (size_t i = 0; i < layers.size(); ++i)
        if (const auto it = layers[i]->slices.find(slice);
            it != layers[i]->slices.end() && it->second.area() > 0)
            out.push_back({maskContour(it->second), expertColour(i), 2.0});
    return out;
}

int reportSlice(const review::ReportLesion& lesion) {
    return lesion.result ? lesion.result->crop.slice : lesion.lesion.firstSlice;
}

}  // namespace

QRectF lesionRegion(const review::ReportLesion& lesion, const dicom::Series& series) {
    const auto& box = lesion.lesion.box;
    const double mmPerPixel = std::max(series.geometry.columnSpacing, 1e-6);
    const double side = std::max({3.0 * std::max(box.width, box.height), 24.0 / mmPerPixel, 32.0});
    const double cx = box.x + box.width / 2.0, cy = box.y + box.height / 2.0;
    return {cx - side / 2, cy - side / 2, side, side};
}

QImage outlinesImage(const review::ReportLesion& lesion, const dicom::Series& series,
                     const QRectF& region) {
    const int slice = reportSlice(lesion);
    OverlayScene scene;
    if (lesion.result) {
        const auto& crop = lesion.result->crop;
        scene.cropRect = QRectF(crop.originX, crop.originY, crop.span, crop.span);
        scene.cropPixels = crop.image.width;
        for (const auto& mask : lesion.result->result.masks)
            scene.cropContours.push_back({maskContour(mask), QColor(0, 230, 255, 150), 1.0});
    }
    scene.sliceContours = expertLayers(lesion, slice);
    return regionImage(series, slice, region, kSide, [&](QPainter& p) { paintOverlay(p, scene); });
}

QImage heatmapImage(const review::ReportLesion& lesion, const dicom::Series& series,
                    const QRectF& region) {
    const int slice = reportSlice(lesion);
    OverlayScene scene;
    if (lesion.result) {
        const auto& crop = lesion.result->crop;
        scene.cropRect = QRectF(crop.originX, crop.originY, crop.span, crop.span);
        scene.cropPixels = crop.image.width;
        scene.heatmap = renderHeatmap(lesion.result->result.maps.variance,
                                      heatmapMaximum(review::Heatmap::Variance), 0.75);
    }
    const auto picture =
        regionImage(series, slice, region, kSide, [&](QPainter& p) { paintOverlay(p, scene); });
    const auto bar = renderColourBar(kSide, 36, heatmapMaximum(review::Heatmap::Variance),
                                     QStringLiteral("p(1 - p)"));
    QImage out(kSide, picture.height() + bar.height(), QImage::Format_RGB32);
    QPainter painter(&out);
    painter.drawImage(0, 0, picture);
    painter.drawImage(0, picture.height(), bar);
    return out;
}

QImage galleryImage(const review::ReportLesion& lesion, const dicom::Series& series,
                    const QRectF& region) {
    if (!lesion.result) return {};
    const auto& result = lesion.result->result;
    const auto& crop = lesion.result->crop;
    constexpr int perRow = 5, tile = 120, gap = 6;
    const int count = static_cast<int>(result.masks.size());
    const int rows = (count + perRow - 1) / perRow;
    const auto first = regionImage(series, crop.slice, region, tile, [](QPainter&) {});
    QImage out(perRow * (tile + gap) - gap, rows * (first.height() + 18 + gap),
               QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    for (int i = 0; i < count; ++i) {
        const auto& mask = result.masks[static_cast<size_t>(i)];
        OverlayScene scene;
        scene.cropRect = QRectF(crop.originX, crop.originY, crop.span, crop.span);
        scene.cropPixels = crop.image.width;
        scene.cropContours.push_back({maskContour(mask), QColor(60, 255, 90), 1.5});
        const auto picture = regionImage(series, crop.slice, region, tile,
                                         [&](QPainter& p) { paintOverlay(p, scene); });
        const int x = (i % perRow) * (tile + gap);
        const int y = (i / perRow) * (first.height() + 18 + gap);
        painter.drawImage(x, y, picture);
        painter.setPen(Qt::black);
        painter.drawText(QRect(x, y + picture.height(), tile, 18), Qt::AlignCenter,
                         QStringLiteral("#%1: %2 px").arg(i + 1).arg(mask.area()));
    }
    return out;
}

QImage trajectoryStrip(const review::ReportLesion& lesion, const dicom::Series& series,
                       const QRectF& region, int frames) {
    if (!lesion.result || lesion.result->trajectory.size() < 2) return {};
    const auto& trajectory = lesion.result->trajectory;
    const auto& crop = lesion.result->crop;
    constexpr int tile = 110, gap = 6;
    const int shown = std::min(frames, static_cast<int>(trajectory.size()));
    std::vector<QImage> pictures;
    std::vector<double> times;
    for (int k = 0; k < shown; ++k) {
        const auto& frame = trajectory[static_cast<size_t>(
            std::lround(k * (trajectory.size() - 1.0) / (shown - 1)))];
        common::ImageF mean(frame.states.front().height, frame.states.front().width);
        for (const auto& s : frame.states)
            for (size_t i = 0; i < mean.size(); ++i)
                mean.pixels[i] += s.pixels[i] / static_cast<float>(frame.states.size());
        OverlayScene scene;
        scene.cropRect = QRectF(crop.originX, crop.originY, crop.span, crop.span);
        scene.cropPixels = crop.image.width;
        scene.trajectory = renderHeatmap(mean, 1.0F, 0.85);
        pictures.push_back(regionImage(series, crop.slice, region, tile,
                                       [&](QPainter& p) { paintOverlay(p, scene); }));
        times.push_back(frame.t);
    }
    QImage out(shown * (tile + gap) - gap, pictures.front().height() + 18, QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    for (int k = 0; k < shown; ++k) {
        painter.drawImage(k * (tile + gap), 0, pictures[static_cast<size_t>(k)]);
        painter.setPen(Qt::black);
        painter.drawText(QRect(k * (tile + gap), pictures.front().height(), tile, 18),
                         Qt::AlignCenter,
                         QStringLiteral("t = %1").arg(times[static_cast<size_t>(k)], 0, 'f', 2));
    }
    return out;
}

}  // namespace flowseg::render::report
