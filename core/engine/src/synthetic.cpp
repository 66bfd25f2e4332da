#include "flowseg/engine/synthetic.h"

#include "flowseg/common/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numbers>
#include <thread>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

namespace {

constexpr double kPi = std::numbers::pi;

double uniform(std::mt19937_64& rng, double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
}

double normal(std::mt19937_64& rng, double sigma) {
    return std::normal_distribution<double>(0.0, sigma)(rng);
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Smooth random field: bilinear upsampling of a coarse grid of N(0,1) values.
std::vector<double> smoothField(int size, int grid, std::mt19937_64& rng) {
    std::vector<double> coarse(static_cast<size_t>(grid + 1) * (grid + 1));
    for (auto& v : coarse) v = normal(rng, 1.0);
    std::vector<double> out(static_cast<size_t>(size) * size);
    const double step = static_cast<double>(grid) / size;
    for (int y = 0; y < size; ++y) {
        const double gy = y * step;
        const int y0 = std::min(static_cast<int>(gy), grid - 1);
        const double fy = gy - y0;
        for (int x = 0; x < size; ++x) {
            const double gx = x * step;
            const int x0 = std::min(static_cast<int>(gx), grid - 1);
            const double fx = gx - x0;
            const auto at = [&](int yy, int xx) { return coarse[yy * (grid + 1) + xx]; };
            out[y * size + x] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
                                fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
        }
    }
    return out;
}

void addVessel(std::vector<double>& image, int size, std::mt19937_64& rng) {
    // A quadratic Bezier between two points on the border, bending through the crop.
    const auto borderPoint = [&]() {
        const double a = uniform(rng, 0, 2 * kPi);
        return std::pair{size / 2.0 + 0.75 * size * std::cos(a),
                         size / 2.0 + 0.75 * size * std::sin(a)};
    };
    const auto [x0, y0] = borderPoint();
    const auto [x2, y2] = borderPoint();
    const double x1 = uniform(rng, 0, size);
    const double y1 = uniform(rng, 0, size);
    const double radius = uniform(rng, 0.8, 2.5) * size / 128.0;
    const double intensity = uniform(rng, 0.22, 0.45);
    constexpr int kSegments = 48;
    std::vector<std::pair<double, double>> points;
    for (int i = 0; i <= kSegments; ++i) {
        const double t = static_cast<double>(i) / kSegments;
        points.emplace_back((1 - t) * (1 - t) * x0 + 2 * (1 - t) * t * x1 + t * t * x2,
                            (1 - t) * (1 - t) * y0 + 2 * (1 - t) * t * y1 + t * t * y2);
    }
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            double best = 1e18;
            for (size_t i = 0; i + 1 < points.size(); ++i) {
                const auto [ax, ay] = points[i];
                const auto [bx, by] = points[i + 1];
                const double dx = bx - ax;
                const double dy = by - ay;
                const double len2 = dx * dx + dy * dy + 1e-12;
                const double t = std::clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0.0, 1.0);
                const double ex = x - (ax + t * dx);
                const double ey = y - (ay + t * dy);
                best = std::min(best, ex * ex + ey * ey);
            }
            const double d = std::sqrt(best);
            if (d < radius + 2) {
                const double profile = sigmoid((radius - d) / 0.5);
                // Vessels do not stack: where two cross, the brighter one shows.
                auto& v = image[y * size + x];
                v = std::max(v, 0.055 + intensity * profile);
            }
        }
    }
}

void addWall(std::vector<double>& image, int size, std::mt19937_64& rng) {
    const double angle = uniform(rng, 0, 2 * kPi);
    const double nx = std::cos(angle);
    const double ny = std::sin(angle);
    const double offset = uniform(rng, 4, 40) * size / 128.0;
    const double curvature = uniform(rng, -0.006, 0.012) * 128.0 / size;
    const double intensity = uniform(rng, 0.3, 0.42);
    const double c = size / 2.0;
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const double along = (x - c) * nx + (y - c) * ny;
            const double across = -(x - c) * ny + (y - c) * nx;
            const double inside = along - (offset + curvature * across * across);
            auto& v = image[y * size + x];
            v = std::max(v, 0.055 + intensity * sigmoid(inside / 0.8));
        }
    }
}

}  // namespace

double SyntheticLesion::boundaryRadius(double theta) const {
    double factor = 1.0;
    for (size_t k = 0; k < shapeAmplitude.size(); ++k)
        factor += shapeAmplitude[k] * std::cos(static_cast<double>(k + 2) * theta + shapePhase[k]);
    return radius * factor;
}

bool SyntheticLesion::faint() const { return contrast < kFaintContrastLimit; }

std::string SyntheticLesion::toJson() const {
    nlohmann::json j{{"size", size},
                     {"centre_x", centreX},
                     {"centre_y", centreY},
                     {"radius", radius},
                     {"shape_amplitude", shapeAmplitude},
                     {"shape_phase", shapePhase},
                     {"softness", softness},
                     {"contrast", contrast}};
    return j.dump();
}

SyntheticLesion SyntheticLesion::fromJson(const std::string& text) {
    try {
        const auto j = nlohmann::json::parse(text);
        SyntheticLesion l;
        l.size = j.at("size").get<int>();
        l.centreX = j.at("centre_x").get<double>();
        l.centreY = j.at("centre_y").get<double>();
        l.radius = j.at("radius").get<double>();
        l.shapeAmplitude = j.at("shape_amplitude").get<std::vector<double>>();
        l.shapePhase = j.at("shape_phase").get<std::vector<double>>();
        l.softness = j.at("softness").get<double>();
        l.contrast = j.at("contrast").get<double>();
        if (l.shapeAmplitude.size() != l.shapePhase.size() || l.size <= 0)
            throw InvalidInput("inconsistent lesion description");
        return l;
    } catch (const nlohmann::json::exception& e) {
        throw InvalidInput(std::string("not a synthetic lesion description: ") + e.what());
    }
}

Mask drawRaterMask(const SyntheticLesion& lesion, std::mt19937_64& rng) {
    Mask mask(lesion.size, lesion.size);
    const double tau = uniform(rng, 0.2, 0.8);
    std::array<double, 3> jitter{};
    std::array<double, 3> jitterPhase{};
    const double scale = lesion.size / 128.0;
    for (size_t k = 0; k < jitter.size(); ++k) {
        jitter[k] = normal(rng, 0.35 * scale);
        jitterPhase[k] = uniform(rng, 0, 2 * kPi);
    }
    const double detectionLevel = uniform(rng, 0.04, 0.2);
    const bool detected = uniform(rng, 0, 1) < sigmoid((lesion.contrast - detectionLevel) / 0.015);
    if (!detected) return mask;
    const double levelShift = -lesion.softness * std::log(tau / (1 - tau));
    for (int y = 0; y < lesion.size; ++y) {
        for (int x = 0; x < lesion.size; ++x) {
            const double dx = x + 0.5 - lesion.centreX;
            const double dy = y + 0.5 - lesion.centreY;
            const double theta = std::atan2(dy, dx);
            double delta = 0;
            for (size_t k = 0; k < jitter.size(); ++k)
                delta += jitter[k] * std::cos(static_cast<double>(k + 1) * theta + jitterPhase[k]);
            const double r = lesion.boundaryRadius(theta) + delta + levelShift;
            mask.at(y, x) = std::hypot(dx, dy) < r ? 1 : 0;
        }
    }
    return mask;
}

std::vector<Mask> drawRaterMasks(const SyntheticLesion& lesion, int count, std::mt19937_64& rng) {
    std::vector<Mask> masks;
    masks.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) masks.push_back(drawRaterMask(lesion, rng));
    return masks;
}

namespace {

void checkOptions(const SyntheticOptions& options) {
    if (options.size < 16 || options.size > 1024)
        throw InvalidInput("synthetic crop size must be between 16 and 1024 pixels");
    if (options.raters < 1) throw InvalidInput("at least one rater is needed");
}

}  // namespace

SyntheticCase generateSyntheticCase(const SyntheticOptions& options, int index) {
    checkOptions(options);
    // One independent stream per case: seed and index fully determine the case.
    std::seed_seq seq{options.seed, static_cast<std::uint64_t>(index), std::uint64_t{0x5eed}};
    std::mt19937_64 rng(seq);
    const int size = options.size;
    const double scale = size / 128.0;

    SyntheticLesion lesion;
    lesion.size = size;
    lesion.centreX = size / 2.0 + uniform(rng, -1, 1);
    lesion.centreY = size / 2.0 + uniform(rng, -1, 1);
    lesion.radius = uniform(rng, 2.0, 10.0) * scale;
    for (int k = 0; k < 3; ++k) {
        lesion.shapeAmplitude.push_back(uniform(rng, 0.0, 0.14));
        lesion.shapePhase.push_back(uniform(rng, 0, 2 * kPi));
    }
    lesion.softness = uniform(rng, 0.3, 2.2) * scale;
    lesion.contrast =
        uniform(rng, 0, 1) < 0.25 ? uniform(rng, 0.05, 0.16) : uniform(rng, 0.25, 0.5);

    std::vector<double> image(static_cast<size_t>(size) * size);
    const auto texture = smoothField(size, 6, rng);
    for (size_t i = 0; i < image.size(); ++i) image[i] = 0.055 + 0.012 * texture[i];
    if (uniform(rng, 0, 1) < 0.75) addWall(image, size, rng);
    const int vessels = std::uniform_int_distribution<int>(3, 8)(rng);
    for (int v = 0; v < vessels; ++v) addVessel(image, size, rng);
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const double dx = x + 0.5 - lesion.centreX;
            const double dy = y + 0.5 - lesion.centreY;
            const double rho = std::hypot(dx, dy);
            const double r = lesion.boundaryRadius(std::atan2(dy, dx));
            image[y * size + x] += lesion.contrast * sigmoid((r - rho) / lesion.softness);
        }
    }

    SyntheticCase out;
    out.lesion = lesion;
    out.data.id = "case_" + std::to_string(index);
    out.data.image = ImageF(size, size);
    for (size_t i = 0; i < image.size(); ++i) {
        const double noisy = image[i] + normal(rng, 0.016);
        out.data.image.pixels[i] = static_cast<float>(std::clamp(noisy, 0.0, 1.0));
    }
    out.data.experts = drawRaterMasks(lesion, options.raters, rng);
    return out;
}

std::vector<SyntheticCase> generateSyntheticCases(const SyntheticOptions& options, int count,
                                                  int threads) {
    checkOptions(options);  // here, so a bad size throws on the caller's thread
    if (count < 0) throw InvalidInput("the number of synthetic cases cannot be negative");
    std::vector<SyntheticCase> out(static_cast<size_t>(count));
    common::parallelFor(out.size(), threads, [&](size_t i) {
        out[i] = generateSyntheticCase(options, static_cast<int>(i));
    });
    return out;
}

}  // namespace flowseg::engine

#include "flowseg/engine/metrics.h"

namespace flowseg::engine {

double oracleGed(const SyntheticLesion& lesion, const std::vector<Mask>& experts, int samples,
                 std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    return generalizedEnergyDistance(drawRaterMasks(lesion, samples, rng), experts);
}

}  // namespace flowseg::engine
