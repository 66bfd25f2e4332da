#include "flowseg/review/geometry.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace flowseg::review {

namespace {

struct Point {
    double x = 0;  // mm
    double y = 0;
};

Caliper caliperInPixels(Point a, Point b, double mm, const PixelSpacing& s) {
    return {a.x / s.column, a.y / s.row, b.x / s.column, b.y / s.row, mm};
}

}  // namespace

OutlineMeasures measureOutline(const common::Mask& mask, const PixelSpacing& spacing) {
    OutlineMeasures out;
    // The outline's boundary: the midpoint of every pixel edge between the outline
    // and the outside, half-way between an inside and an outside pixel centre (the
    // 0.5 iso-line of the mask), which neither shrinks the outline to its pixel
    // centres nor swells it to its pixel corners.
    std::vector<Point> boundary;
    const auto inside = [&](int y, int x) {
        return x >= 0 && y >= 0 && x < mask.width && y < mask.height && mask.at(y, x) != 0;
    };
    for (int y = 0; y < mask.height; ++y)
        for (int x = 0; x < mask.width; ++x) {
            if (!mask.at(y, x)) continue;
            ++out.pixels;
            const double cx = (x + 0.5) * spacing.column, cy = (y + 0.5) * spacing.row;
            if (!inside(y, x - 1)) boundary.push_back({cx - spacing.column / 2, cy});
            if (!inside(y, x + 1)) boundary.push_back({cx + spacing.column / 2, cy});
            if (!inside(y - 1, x)) boundary.push_back({cx, cy - spacing.row / 2});
            if (!inside(y + 1, x)) boundary.push_back({cx, cy + spacing.row / 2});
        }
    out.areaMm2 = static_cast<double>(out.pixels) * spacing.row * spacing.column;
    if (out.pixels == 0) return out;

    // Longest diameter: the farthest pair of boundary points.
    size_t from = 0, to = 0;
    double best = -1;
    for (size_t i = 0; i < boundary.size(); ++i)
        for (size_t j = i + 1; j < boundary.size(); ++j) {
            const double d =
                std::hypot(boundary[j].x - boundary[i].x, boundary[j].y - boundary[i].y);
            if (d > best) best = d, from = i, to = j;
        }
    out.longest = caliperInPixels(boundary[from], boundary[to], best, spacing);
    const double ux = (boundary[to].x - boundary[from].x) / best;
    const double uy = (boundary[to].y - boundary[from].y) / best;

    // Perpendicular diameter: boundary points binned by their position along the
    // long axis; in each bin the outline's extent across it; the largest kept.
    const double vx = -uy, vy = ux;
    const double bin = 0.5 * std::min(spacing.row, spacing.column);
    std::map<long, std::pair<double, double>> across;  // bin -> min, max of v·p
    for (const auto& p : boundary) {
        const auto key = static_cast<long>(std::floor((p.x * ux + p.y * uy) / bin));
        const double t = p.x * vx + p.y * vy;
        auto [it, added] = across.emplace(key, std::make_pair(t, t));
        if (!added) it->second = {std::min(it->second.first, t), std::max(it->second.second, t)};
    }
    double widest = -1;
    for (const auto& [key, range] : across) {
        const double extent = range.second - range.first;
        if (extent <= widest) continue;
        widest = extent;
        const double s = (static_cast<double>(key) + 0.5) * bin;
        out.perpendicular = caliperInPixels(
            {s * ux + range.first * vx, s * uy + range.first * vy},
            {s * ux + range.second * vx, s * uy + range.second * vy}, extent, spacing);
    }
    return out;
}

std::optional<double> volumeMm3(const std::vector<std::pair<int, const common::Mask*>>& slices,
                                const PixelSpacing& spacing) {
    std::vector<std::pair<int, const common::Mask*>> outlined;
    for (const auto& s : slices)
        if (s.second && s.second->area() > 0) outlined.push_back(s);
    if (outlined.size() < 2) return std::nullopt;
    std::sort(outlined.begin(), outlined.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    double volume = 0;
    for (size_t i = 0; i < outlined.size(); ++i) {
        if (i > 0 && outlined[i].first != outlined[i - 1].first + 1) return std::nullopt;
        volume += static_cast<double>(outlined[i].second->area()) * spacing.row * spacing.column *
                  spacing.slice;
    }
    return volume;
}

Range rangeOf(const std::vector<double>& values) {
    if (values.empty()) return {};
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return {*lo, *hi};
}

}  // namespace flowseg::review
