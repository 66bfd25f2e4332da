#pragma once
// Frame bytes of encapsulated (compressed) pixel data.

#include <cstdint>
#include <string>
#include <vector>

class DcmDataset;

namespace flowseg::dicom {

/// The compressed bytes of frame `frame` of `frames`: one fragment per frame, or
/// all fragments of a single-frame image joined. Throws DicomError naming `path`.
std::vector<std::uint8_t> encapsulatedFrame(DcmDataset& data, const std::string& path, int frame,
                                            int frames);

/// Decodes one DICOM RLE frame (PS3.5 Annex G) into little-endian samples of
/// `bytesPerSample` bytes, with bounds checks on every segment (DCMTK 3.6.7's own
/// RLE decoder can be crashed by a corrupt segment, so it is not used).
std::vector<std::uint8_t> decodeRleFrame(const std::vector<std::uint8_t>& frame, size_t pixels,
                                         int bytesPerSample, const std::string& path);

}  // namespace flowseg::dicom
