#include "flowseg/render/overlay_renderer.h"

#include <QPainter>
#include <QPen>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "flowseg/imaging/image_io.h"

namespace flowseg::render {

QImage renderWindowed(const float* values, int width, int height, double center,
                      double windowWidth) {
    QImage image(width, height, QImage::Format_Grayscale8);
    const double low = center - windowWidth / 2.0;
    const double scale = 255.0 / std::max(1e-6, windowWidth);
    for (int y = 0; y < height; ++y) {
        auto* line = image.scanLine(y);
        const float* row = values + static_cast<size_t>(y) * width;
        for (int x = 0; x < width; ++x)
            line[x] = static_cast<uchar>(std::clamp(std::lround((row[x] - low) * scale), 0L, 255L));
    }
    return image;
}

QColor expertColour(size_t index) {
    static const QColor palette[] = {QColor(255, 90, 90),   QColor(255, 160, 40),
                                     QColor(200, 110, 255), QColor(255, 120, 200),
                                     QColor(90, 170, 255),  QColor(160, 230, 80)};
    return palette[index % std::size(palette)];
}

float heatmapMaximum(review::Heatmap heatmap) {
    return heatmap == review::Heatmap::Variance ? 0.25F : 1.0F;
}

QImage renderUnitImage(const common::ImageF& image) {
    QImage out(image.width, image.height, QImage::Format_Grayscale8);
    for (int y = 0; y < image.height; ++y) {
        auto* line = out.scanLine(y);
        for (int x = 0; x < image.width; ++x)
            line[x] =
                static_cast<uchar>(std::lround(std::clamp(image.at(y, x), 0.0F, 1.0F) * 255.0F));
    }
    return out;
}

const std::vector<QRgb>& infernoColours() {
    static const std::vector<QRgb> colours = [] {
        std::vector<QRgb> table;
        for (const auto& rgb : imaging::infernoTable())
            table.push_back(qRgb(rgb[0], rgb[1], rgb[2]));
        return table;
    }();
    return colours;
}

QImage renderHeatmap(const common::ImageF& values, float maxValue, double opacity) {
    QImage out(values.width, values.height, QImage::Format_ARGB32_Premultiplied);
    const auto& colours = infernoColours();
    const int alpha = static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 255));
    const float scale = maxValue > 0 ? 1.0F / maxValue : 1.0F;
    for (int y = 0; y < values.height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = 0; x < values.width; ++x) {
            const float v = values.at(y, x);
            if (!(v > 0)) {
                line[x] = qPremultiply(qRgba(0, 0, 0, 0));
                continue;
            }
            const auto index =
                static_cast<size_t>(std::lround(std::clamp(v * scale, 0.0F, 1.0F) * 255.0F));
            const QRgb c = colours[index];
            line[x] = qPremultiply(qRgba(qRed(c), qGreen(c), qBlue(c), alpha));
        }
    }
    return out;
}

QPainterPath maskContour(const common::Mask& mask) {
    // One segment per edge between a foreground pixel and background (or the border).
    QPainterPath path;
    auto fg = [&](int y, int x) {
        return x >= 0 && y >= 0 && x < mask.width && y < mask.height && mask.at(y, x) != 0;
    };
    for (int y = 0; y < mask.height; ++y) {
        for (int x = 0; x < mask.width; ++x) {
            if (!fg(y, x)) continue;
            if (!fg(y - 1, x)) {
                path.moveTo(x, y);
                path.lineTo(x + 1, y);
            }
            if (!fg(y + 1, x)) {
                path.moveTo(x, y + 1);
                path.lineTo(x + 1, y + 1);
            }
            if (!fg(y, x - 1)) {
                path.moveTo(x, y);
                path.lineTo(x, y + 1);
            }
            if (!fg(y, x + 1)) {
                path.moveTo(x + 1, y);
                path.lineTo(x + 1, y + 1);
            }
        }
    }
    return path;
}

QRectF lesionRegion(const std::vector<common::Mask>& masks, int minimumSide) {
    int width = 0, height = 0;
    int left = 1 << 30, top = 1 << 30, right = -1, bottom = -1;
    for (const auto& m : masks) {
        width = std::max(width, m.width);
        height = std::max(height, m.height);
        for (int y = 0; y < m.height; ++y)
            for (int x = 0; x < m.width; ++x)
                if (m.at(y, x)) {
                    left = std::min(left, x);
                    right = std::max(right, x);
                    top = std::min(top, y);
                    bottom = std::max(bottom, y);
                }
    }
    if (width == 0 || height == 0) return {};
    const double crop = std::min(width, height);
    const double cx = right < 0 ? width / 2.0 : (left + right + 1) / 2.0;
    const double cy = right < 0 ? height / 2.0 : (top + bottom + 1) / 2.0;
    const double extent = right < 0 ? 0.0 : std::max(right - left + 1, bottom - top + 1);
    const double side = std::min(crop, std::max<double>(minimumSide, extent * 1.5 + 4));
    const double x0 = std::clamp(cx - side / 2, 0.0, width - side);
    const double y0 = std::clamp(cy - side / 2, 0.0, height - side);
    return {x0, y0, side, side};
}

QImage renderMaskThumbnail(const common::ImageF& crop, const common::Mask& mask, int side,
                           const QColor& colour, const QRectF& region) {
    QImage out(side, side, QImage::Format_RGB32);
    out.fill(Qt::black);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const QRectF shown =
        region.isEmpty() ? QRectF(0, 0, std::max(1, crop.width), std::max(1, crop.height)) : region;
    painter.scale(side / shown.width(), side / shown.height());
    painter.translate(-shown.topLeft());
    painter.drawImage(QPointF(0, 0), renderUnitImage(crop));
    QColor fill = colour;
    fill.setAlpha(70);
    for (int y = 0; y < mask.height; ++y)
        for (int x = 0; x < mask.width; ++x)
            if (mask.at(y, x)) painter.fillRect(QRectF(x, y, 1, 1), fill);
    QPen pen(colour);
    pen.setCosmetic(true);
    pen.setWidthF(1.5);
    painter.setPen(pen);
    painter.drawPath(maskContour(mask));
    return out;
}

void paintOverlay(QPainter& painter, const OverlayScene& scene) {
    auto cosmeticPen = [](const QColor& colour, double width, Qt::PenStyle style = Qt::SolidLine) {
        QPen pen(colour, width, style);
        pen.setCosmetic(true);  // the same on-screen width at every zoom
        return pen;
    };
    painter.save();
    if (!scene.cropRect.isEmpty() && scene.cropPixels > 0) {
        painter.save();
        painter.translate(scene.cropRect.topLeft());
        painter.scale(scene.cropRect.width() / scene.cropPixels,
                      scene.cropRect.height() / scene.cropPixels);
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        if (!scene.trajectory.isNull()) painter.drawImage(QPointF(0, 0), scene.trajectory);
        if (!scene.heatmap.isNull()) painter.drawImage(QPointF(0, 0), scene.heatmap);
        painter.setBrush(Qt::NoBrush);
        for (const auto& layer : scene.cropContours) {
            painter.setPen(cosmeticPen(layer.colour, layer.width));
            painter.drawPath(layer.path);
        }
        painter.restore();
    }
    painter.setBrush(Qt::NoBrush);
    for (const auto& layer : scene.sliceContours) {
        painter.setPen(cosmeticPen(layer.colour, layer.width));
        painter.drawPath(layer.path);
    }
    if (!scene.roi.isEmpty()) {
        painter.setPen(cosmeticPen(scene.roiIsDraft ? QColor(255, 255, 0) : QColor(0, 200, 255),
                                   1.5, scene.roiIsDraft ? Qt::DashLine : Qt::SolidLine));
        painter.drawRect(scene.roi);
    }
    for (const auto& caliper : scene.calipers) {
        painter.setPen(cosmeticPen(caliper.colour, 1.2, Qt::DashLine));
        painter.drawLine(caliper.line);
        // The label in screen pixels, beside the line's end: unscaled text.
        const QPointF at = painter.transform().map(caliper.line.p2());
        painter.save();
        painter.resetTransform();
        painter.setPen(caliper.colour);
        painter.drawText(at + QPointF(4, -4), caliper.label);
        painter.restore();
    }
    painter.restore();
}

QImage renderSliceWithOverlay(const QImage& slice, const OverlayScene& scene, const QRectF& region,
                              double zoom) {
    const QSize size(static_cast<int>(std::lround(region.width() * zoom)),
                     static_cast<int>(std::lround(region.height() * zoom)));
    QImage out(size, QImage::Format_RGB32);
    out.fill(Qt::black);
    QPainter painter(&out);
    painter.scale(zoom, zoom);
    painter.translate(-region.topLeft());
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(QPointF(0, 0), slice);
    paintOverlay(painter, scene);
    return out;
}

QImage renderColourBar(int width, int height, double maxValue, const QString& label) {
    QImage out(width, height, QImage::Format_RGB32);
    out.fill(QColor(32, 32, 32));
    QPainter painter(&out);
    const auto& colours = infernoColours();
    const int barHeight = std::max(4, height / 3);
    for (int x = 0; x < width; ++x) {
        const auto index = static_cast<size_t>(std::lround(255.0 * x / std::max(1, width - 1)));
        painter.setPen(QColor(colours[index]));
        painter.drawLine(x, 0, x, barHeight - 1);
    }
    painter.setPen(Qt::white);
    const QRect text(2, barHeight, width - 4, height - barHeight);
    painter.drawText(text, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("0"));
    painter.drawText(text, Qt::AlignHCenter | Qt::AlignVCenter, label);
    painter.drawText(text, Qt::AlignRight | Qt::AlignVCenter, QString::number(maxValue, 'g', 3));
    return out;
}

}  // namespace flowseg::render
