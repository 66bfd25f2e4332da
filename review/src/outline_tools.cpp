#include "flowseg/review/outline_tools.h"

#include <algorithm>
#include <cmath>

namespace flowseg::review {

SlicePoint brushRadiusInPixels(double radiusMm, const PixelSpacing& spacing) {
    return {radiusMm / spacing.column, radiusMm / spacing.row};
}

namespace {

/// Calls `visit(x, y)` for each pixel whose centre is within the brush ellipse of
/// the path (points interpolated every quarter pixel).
template <typename Visit>
void forEachPixelUnderStroke(const common::Mask& mask, const std::vector<SlicePoint>& path,
                             double radiusMm, const PixelSpacing& spacing, Visit visit) {
    if (path.empty() || radiusMm <= 0) return;
    const auto r = brushRadiusInPixels(radiusMm, spacing);
    std::vector<SlicePoint> dabs{path.front()};
    for (size_t i = 1; i < path.size(); ++i) {
        const double dx = path[i].x - path[i - 1].x, dy = path[i].y - path[i - 1].y;
        const int steps = std::max(1, static_cast<int>(std::ceil(std::hypot(dx, dy) / 0.25)));
        for (int k = 1; k <= steps; ++k)
            dabs.push_back({path[i - 1].x + dx * k / steps, path[i - 1].y + dy * k / steps});
    }
    std::vector<std::uint8_t> seen(mask.size(), 0);
    for (const auto& c : dabs) {
        const int x0 = std::max(0, static_cast<int>(std::floor(c.x - r.x)));
        const int x1 = std::min(mask.width - 1, static_cast<int>(std::ceil(c.x + r.x)));
        const int y0 = std::max(0, static_cast<int>(std::floor(c.y - r.y)));
        const int y1 = std::min(mask.height - 1, static_cast<int>(std::ceil(c.y + r.y)));
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                const double ex = (x + 0.5 - c.x) / r.x, ey = (y + 0.5 - c.y) / r.y;
                const size_t i = static_cast<size_t>(y) * mask.width + x;
                if (ex * ex + ey * ey > 1 || seen[i]) continue;
                seen[i] = 1;
                visit(x, y);
            }
    }
}

}  // namespace

void paintStroke(common::Mask& mask, const std::vector<SlicePoint>& path, double radiusMm,
                 const PixelSpacing& spacing, bool value) {
    forEachPixelUnderStroke(mask, path, radiusMm, spacing,
                            [&](int x, int y) { mask.at(y, x) = value ? 1 : 0; });
}

void paintStrokeWithin(common::Mask& mask, const std::vector<SlicePoint>& path, double radiusMm,
                       const PixelSpacing& spacing, const dicom::Series& series, int slice,
                       double lowHu, double highHu) {
    if (slice < 0 || slice >= series.depth || series.width != mask.width ||
        series.height != mask.height)
        return;
    forEachPixelUnderStroke(mask, path, radiusMm, spacing, [&](int x, int y) {
        const double hu = series.at(slice, y, x);
        if (hu >= lowHu && hu <= highHu) mask.at(y, x) = 1;
    });
}

void fillPolygon(common::Mask& mask, const std::vector<SlicePoint>& polygon, bool value) {
    if (polygon.size() < 3) return;
    for (int y = 0; y < mask.height; ++y) {
        const double cy = y + 0.5;
        std::vector<double> crossings;
        for (size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
            const auto& a = polygon[i];
            const auto& b = polygon[j];
            if ((a.y > cy) != (b.y > cy))
                crossings.push_back(a.x + (cy - a.y) * (b.x - a.x) / (b.y - a.y));
        }
        std::sort(crossings.begin(), crossings.end());
        for (size_t k = 0; k + 1 < crossings.size(); k += 2) {
            // pixel centres x + 0.5 within [crossing k, crossing k+1)
            const int x0 = std::max(0, static_cast<int>(std::ceil(crossings[k] - 0.5)));
            const int x1 =
                std::min(mask.width - 1, static_cast<int>(std::ceil(crossings[k + 1] - 0.5)) - 1);
            for (int x = x0; x <= x1; ++x) mask.at(y, x) = value ? 1 : 0;
        }
    }
}

common::Mask fillHoles(const common::Mask& mask) {
    // Background reached from the border is outside; the rest of the background is a hole.
    common::Mask outside(mask.height, mask.width);
    std::vector<std::pair<int, int>> stack;
    const auto push = [&](int x, int y) {
        if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) return;
        if (mask.at(y, x) || outside.at(y, x)) return;
        outside.at(y, x) = 1;
        stack.emplace_back(x, y);
    };
    for (int x = 0; x < mask.width; ++x) push(x, 0), push(x, mask.height - 1);
    for (int y = 0; y < mask.height; ++y) push(0, y), push(mask.width - 1, y);
    while (!stack.empty()) {
        const auto [x, y] = stack.back();
        stack.pop_back();
        push(x + 1, y), push(x - 1, y), push(x, y + 1), push(x, y - 1);
    }
    common::Mask filled(mask.height, mask.width);
    for (size_t i = 0; i < filled.size(); ++i) filled.pixels[i] = outside.pixels[i] ? 0 : 1;
    return filled;
}

PixelSpacing spacingOf(const dicom::Series& series) {
    PixelSpacing s;
    s.row = series.geometry.rowSpacing;
    s.column = series.geometry.columnSpacing;
    s.slice = series.geometry.sliceSpacing;
    s.nominal = !series.geometry.hasSpacing;
    return s;
}

}  // namespace flowseg::review
