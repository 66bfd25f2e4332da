#pragma once
// Decodes the pixel data of one DICOM file into modality values (e.g. HU):
// stored value x RescaleSlope + RescaleIntercept, computed in float by us.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowseg::dicom {

struct TransferSyntax {
    std::string uid;
    std::string name;
    bool lossy = false;
    bool encapsulated = false;
    bool decodable = false;  ///< FlowSeg can decode it (DCMTK codecs, OpenJPEG, or native)
};

/// Names a transfer syntax UID, including ones DCMTK 3.6.7 does not know (HTJ2K, ...).
TransferSyntax describeTransferSyntax(const std::string& uid);

struct DecodedPixels {
    int rows = 0;
    int columns = 0;
    int frames = 0;
    /// frames x rows x columns modality values, row-major within a frame.
    std::vector<float> values;
    TransferSyntax transferSyntax;
    std::string modality;
    int bitsStored = 0;
    bool signedPixels = false;
    /// Per-frame rescale when an enhanced multi-frame file gives one.
    std::vector<double> slopes;
    std::vector<double> intercepts;
};

/// Registers DCMTK's JPEG, JPEG-LS and RLE decoders (deflate needs none); once per process.
void registerCodecs();

/// DCMTK's version ("3.6.7").
[[nodiscard]] std::string dcmtkVersion();

/// How many times this process has opened and parsed a DICOM file (whole file or
/// headers only). Lets tests check that a folder is read once, not twice.
[[nodiscard]] std::uint64_t dicomFileParses();

/// Throws DicomError for a file that is not DICOM, is truncated, has no pixel data,
/// is colour, or uses a transfer syntax that cannot be decoded (named in the message).
DecodedPixels decodePixels(const std::string& path);

/// SHA-256 of `values` as little-endian float32, row-major, frame after frame.
std::string pixelSha256(const std::vector<float>& values);

}  // namespace flowseg::dicom
