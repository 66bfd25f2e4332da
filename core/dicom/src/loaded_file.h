#pragma once
// Decoding from a DcmFileFormat already in memory, so a file is read once.

#include <dcmtk/dcmdata/dctk.h>
#include <string>

#include "flowseg/dicom/pixel_decoder.h"

namespace flowseg::dicom {

/// Loads `path` completely; throws DicomError (not DICOM, truncated, unknown syntax).
void loadDicomFile(DcmFileFormat& file, const std::string& path);
/// Counts one parse for dicomFileParses() (callers that parse with DCMTK directly).
void countDicomFileParse();
DecodedPixels decodeLoadedPixels(DcmFileFormat& file, const std::string& path);

}  // namespace flowseg::dicom
