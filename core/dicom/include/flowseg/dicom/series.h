#pragma once
// Studies from disk: files grouped into series, slices ordered by their position
// along the slice normal, geometry checked, pixels as float modality values (HU).

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/pixel_decoder.h"
#include "flowseg/dicom/study_scan.h"

namespace flowseg::dicom {

struct WindowPreset {
    std::string name;
    double center = 0;
    double width = 1;
};

/// Lung, mediastinum, bone, soft tissue and brain (HU).
std::vector<WindowPreset> standardWindows();

struct Geometry {
    std::array<double, 3> origin{0, 0, 0};        ///< ImagePositionPatient of the first slice
    std::array<double, 3> rowDirection{1, 0, 0};  ///< direction of increasing column index
    std::array<double, 3> columnDirection{0, 1, 0};
    std::array<double, 3> normal{0, 0, 1};
    double rowSpacing = 1;     ///< mm between rows (PixelSpacing[0])
    double columnSpacing = 1;  ///< mm between columns (PixelSpacing[1])
    double sliceSpacing = 1;   ///< mm between slices (median of the differences)
    bool hasPositions = false;
    /// False when the files give no PixelSpacing: the 1 mm above is nominal, and
    /// the review window says so wherever it shows millimetres.
    bool hasSpacing = false;
};

struct Series {
    std::string patientId, patientName, studyUid, studyDate, studyDescription;
    std::string seriesUid, modality, seriesDescription;
    TransferSyntax transferSyntax;  ///< of the first file
    int width = 0;
    int height = 0;
    int depth = 0;
    std::vector<float> values;  ///< depth x height x width modality values
    Geometry geometry;
    std::vector<double> slicePositions;  ///< along the normal, ascending
    std::vector<std::string> sopUids;    ///< per slice
    std::vector<std::string> files;      ///< per slice
    std::vector<std::optional<long>>
        instanceNumbers;                ///< per slice (InstanceNumber, when the file has one)
    std::vector<WindowPreset> windows;  ///< from the header first, then the standard ones
    std::vector<std::string> warnings;  ///< gaps, tilt, split orientations, ...

    [[nodiscard]] float at(int z, int y, int x) const {
        return values[(static_cast<size_t>(z) * height + y) * width + x];
    }
};

struct StudyLoad {
    std::vector<Series> series;
    std::vector<SkippedFile> skipped;
};

/// Thrown by a load whose LoadOptions::cancelled said so.
class LoadCancelled : public DicomError {
public:
    using DicomError::DicomError;
};

struct LoadOptions {
    int threads = 0;  ///< decoding threads (0 = every core)
    /// (files decoded, files in all), once per file, from the decoding threads
    /// one at a time.
    std::function<void(int, int)> progress;
    /// Polled before each file; true stops the load (LoadCancelled).
    std::function<bool()> cancelled;
};

/// The middle slice of a scanned series, decoded alone (one file): what a
/// reader sees first while the rest decodes, and the series picker's thumbnail.
/// A one-slice Series (geometry of that slice). Throws DicomError.
Series loadMiddleSlice(const SeriesEntry& entry);

/// Loads every image below a folder (DICOMDIR trees included: the index is
/// skipped and the files it points to are found by the walk).
StudyLoad loadFolder(const std::string& folder, const LoadOptions& options = {});
/// Loads the given files, decoding them on `options.threads` threads; the
/// decoded pixels are held once (each slice moves into the series' volume).
/// Unreadable files are listed in `skipped` with the reason.
StudyLoad loadFiles(const std::vector<std::string>& files, const LoadOptions& options = {});

}  // namespace flowseg::dicom
