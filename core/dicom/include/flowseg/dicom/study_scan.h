#pragma once
// Finds the DICOM instances below a folder and reads their identifying headers
// (no pixel data), for importing studies into the store.

#include <optional>
#include <string>
#include <vector>

namespace flowseg::dicom {

struct InstanceHeader {
    std::string path;
    std::string patientId;
    std::string patientName;
    std::string studyUid;
    std::string studyDate;
    std::string studyDescription;
    std::string seriesUid;
    std::string modality;
    std::string seriesDescription;
    std::string sopUid;
    std::optional<long> instanceNumber;
    /// ImagePositionPatient projected on the slice normal (from ImageOrientationPatient).
    std::optional<double> slicePosition;
};

struct SkippedFile {
    std::string path;
    std::string reason;
};

struct FolderScan {
    std::vector<InstanceHeader> instances;  ///< sorted by series, then slice position
    std::vector<SkippedFile> skipped;       ///< non-DICOM, DICOMDIR, truncated, missing UIDs
};

/// Every regular file below `folder`, recursively, sorted; unreadable subfolders are skipped.
std::vector<std::string> filesBelow(const std::string& folder);

/// Recursively scans `folder`. Throws std::runtime_error when the folder does not exist.
FolderScan scanFolder(const std::string& folder);

}  // namespace flowseg::dicom
