#pragma once
// Compressed storage of masks and float maps (zlib), with integrity checks.

#include <cstdint>
#include <vector>

#include "flowseg/common/types.h"

namespace flowseg::db {

std::vector<std::uint8_t> compressMask(const common::Mask& mask);
/// Throws DatabaseError(Corrupt) when the data does not inflate to width*height bytes of 0/1.
common::Mask decompressMask(const std::vector<std::uint8_t>& data, int width, int height);

std::vector<std::uint8_t> compressImage(const common::ImageF& image);
common::ImageF decompressImage(const std::vector<std::uint8_t>& data, int width, int height);

}  // namespace flowseg::db
