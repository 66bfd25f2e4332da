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
    std::string imageType;  ///< ImageType, values joined by '\\'
    int rows = 0, columns = 0;
    int frames = 1;
    bool hasPixels = false;  ///< an image (not a SEG's frames, a report, a structured report)
};

struct SkippedFile {
    std::string path;
    std::string reason;
};

struct FolderScan {
    std::vector<InstanceHeader> instances;  ///< sorted by series, then slice position
    std::vector<SkippedFile> skipped;       ///< non-DICOM, DICOMDIR, truncated, missing UIDs
};

/// One series of a scanned folder, as a reader picks it: what it is, how many
/// slices, and its files in slice order.
struct SeriesEntry {
    std::string studyUid, seriesUid, modality, description, patientName, studyDate;
    int slices = 0;  ///< images (frames of multi-frame files counted)
    int rows = 0, columns = 0;
    /// A scout / localizer / topogram (ImageType LOCALIZER, or so described):
    /// a planning image, not the series to read.
    bool localizer = false;
    std::vector<std::string> files;  ///< in slice order
};

/// The image series of a scan (objects without pixel data, SEG, are not series
/// to read), in the scan's order.
std::vector<SeriesEntry> imageSeries(const FolderScan& scan);

/// The series to open by default: the one with the most slices that is not a
/// localizer (the thin reconstruction of a CT study). nullptr when there is none.
const SeriesEntry* readingSeries(const std::vector<SeriesEntry>& series);

/// Every regular file below `folder`, recursively, sorted; unreadable subfolders are skipped.
std::vector<std::string> filesBelow(const std::string& folder);

/// Recursively scans `folder`. Throws std::runtime_error when the folder does not exist.
FolderScan scanFolder(const std::string& folder);

}  // namespace flowseg::dicom
