#pragma once
// JPEG 2000 frames of an encapsulated DICOM dataset, decoded with OpenJPEG
// (open-source DCMTK has no JPEG 2000 codec).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

class DcmDataset;

namespace flowseg::dicom {

/// Calls `onFrame(index, samples)` with each decoded frame (rows*columns signed
/// samples as the codestream states them). Throws DicomError naming `path`.
void decodeJpeg2000Frames(
    DcmDataset& data, const std::string& path, int frames, int rows, int columns,
    const std::function<void(int, const std::vector<std::int32_t>&)>& onFrame);

}  // namespace flowseg::dicom
