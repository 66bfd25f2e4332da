#include "flowseg/db/blob_codec.h"

#include <zlib.h>
#include <cstring>

#include "flowseg/db/database.h"

namespace flowseg::db {

namespace {

std::vector<std::uint8_t> deflateBytes(const void* data, size_t size) {
    uLongf bound = compressBound(static_cast<uLong>(size));
    std::vector<std::uint8_t> out(bound);
    if (compress2(out.data(), &bound, static_cast<const Bytef*>(data), static_cast<uLong>(size),
                  6) != Z_OK)
        throw DatabaseError(DatabaseError::Kind::Other, "compressing a mask failed");
    out.resize(bound);
    return out;
}

void inflateBytes(const std::vector<std::uint8_t>& data, void* out, size_t expected) {
    uLongf size = static_cast<uLongf>(expected);
    const int rc =
        uncompress(static_cast<Bytef*>(out), &size, data.data(), static_cast<uLong>(data.size()));
    if (rc != Z_OK || size != expected)
        throw DatabaseError(
            DatabaseError::Kind::Corrupt,
            "a stored mask or map is damaged (it does not decompress to its recorded size)");
}

}  // namespace

std::vector<std::uint8_t> compressMask(const common::Mask& mask) {
    return deflateBytes(mask.pixels.data(), mask.pixels.size());
}

common::Mask decompressMask(const std::vector<std::uint8_t>& data, int width, int height) {
    common::Mask mask(height, width);
    inflateBytes(data, mask.pixels.data(), mask.pixels.size());
    for (auto v : mask.pixels)
        if (v > 1)
            throw DatabaseError(DatabaseError::Kind::Corrupt,
                                "a stored mask holds values other than 0 and 1");
    return mask;
}

std::vector<std::uint8_t> compressImage(const common::ImageF& image) {
    return deflateBytes(image.pixels.data(), image.pixels.size() * sizeof(float));
}

common::ImageF decompressImage(const std::vector<std::uint8_t>& data, int width, int height) {
    common::ImageF image(height, width);
    inflateBytes(data, image.pixels.data(), image.pixels.size() * sizeof(float));
    return image;
}

}  // namespace flowseg::db
