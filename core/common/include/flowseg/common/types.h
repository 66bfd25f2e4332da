#pragma once
// Plain image and mask containers shared by every layer (engine, imaging, dicom,
// db, review, ui). Torch-free and dependency-free: core/common links nothing.

#include <cstdint>
#include <string>
#include <vector>

namespace flowseg::common {

/// A single-channel float image, row-major. Intensities are normalized to [0, 1].
struct ImageF {
    int height = 0;
    int width = 0;
    std::vector<float> pixels;

    ImageF() = default;
    ImageF(int h, int w, float fill = 0.0F)
        : height(h), width(w), pixels(static_cast<size_t>(h) * static_cast<size_t>(w), fill) {}

    [[nodiscard]] bool empty() const { return pixels.empty(); }
    [[nodiscard]] size_t size() const { return pixels.size(); }
    float& at(int y, int x) { return pixels[static_cast<size_t>(y) * width + x]; }
    [[nodiscard]] float at(int y, int x) const {
        return pixels[static_cast<size_t>(y) * width + x];
    }
};

/// A binary mask, row-major, one byte per pixel holding 0 or 1.
struct Mask {
    int height = 0;
    int width = 0;
    std::vector<std::uint8_t> pixels;

    Mask() = default;
    Mask(int h, int w)
        : height(h), width(w), pixels(static_cast<size_t>(h) * static_cast<size_t>(w), 0) {}

    [[nodiscard]] size_t size() const { return pixels.size(); }
    std::uint8_t& at(int y, int x) { return pixels[static_cast<size_t>(y) * width + x]; }
    [[nodiscard]] std::uint8_t at(int y, int x) const {
        return pixels[static_cast<size_t>(y) * width + x];
    }
    /// Number of foreground pixels.
    [[nodiscard]] long area() const;
    [[nodiscard]] bool sameShape(const Mask& other) const {
        return height == other.height && width == other.width;
    }
    bool operator==(const Mask& other) const = default;
};

/// One lesion crop with the masks drawn by each of its experts (raters).
struct MultiRaterCase {
    std::string id;
    ImageF image;
    std::vector<Mask> experts;
};

}  // namespace flowseg::common
