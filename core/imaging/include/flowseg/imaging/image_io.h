#pragma once
// PNG / JPEG / TIFF reading and writing of grey images, masks and heatmaps.

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "flowseg/common/types.h"

namespace flowseg::imaging {

/// A file could not be read, decoded or written; the message names the file.
/// OpenCV's version ("4.6.0").
[[nodiscard]] std::string opencvVersion();

class ImageIoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads a grey (or colour, converted to grey) 8- or 16-bit image and scales it by
/// full scale (255 or 65535) to [0, 1].
common::ImageF readGrayImage(const std::string& path);
/// Reads a mask: a pixel is foreground when >= 50 % of full scale (lossy JPEG safe).
common::Mask readMask(const std::string& path);

/// Writes an image in [0, 1] as 8-bit grey PNG (values are clamped).
void writeGray8(const std::string& path, const common::ImageF& image);
/// Writes an image in [0, 1] as 16-bit grey PNG (keeps fine probability levels).
void writeGray16(const std::string& path, const common::ImageF& image);
/// `mask` grown by a disc of `radius` pixels (OpenCV's elliptic dilation); 0 = as is.
common::Mask growMask(const common::Mask& mask, int radius);
/// Writes a mask as 0/255 PNG.
void writeMask(const std::string& path, const common::Mask& mask);
/// Colour heatmap (inferno) of `values` / `maxValue`, as PNG.
void writeHeatmap(const std::string& path, const common::ImageF& values, float maxValue);
/// The grey image with the heatmap blended on top where values > 0.
void writeHeatmapOverlay(const std::string& path, const common::ImageF& image,
                         const common::ImageF& values, float maxValue, float opacity);
/// The inferno colour map (perceptually uniform) as 256 RGB triples, the same
/// table the heatmap writers use; the review window draws with it too.
std::array<std::array<std::uint8_t, 3>, 256> infernoTable();
/// Several equally sized images side by side with a 2-pixel gap, as 8-bit PNG.
void writeStrip(const std::string& path, const std::vector<common::ImageF>& images);

}  // namespace flowseg::imaging
