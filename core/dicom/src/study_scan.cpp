#include "flowseg/dicom/study_scan.h"

#include "flowseg/dicom/pixel_decoder.h"
#include "loaded_file.h"

#include <dcmtk/dcmdata/dctk.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace flowseg::dicom {

namespace fs = std::filesystem;

namespace {

std::string getString(DcmItem& data, const DcmTagKey& tag) {
    OFString value;
    if (data.findAndGetOFStringArray(tag, value).good()) return value.c_str();
    return {};
}

std::optional<double> slicePosition(DcmDataset& data) {
    std::array<double, 3> position{};
    std::array<double, 6> orientation{};
    for (unsigned i = 0; i < 3; ++i)
        if (data.findAndGetFloat64(DCM_ImagePositionPatient, position[i], i).bad())
            return std::nullopt;
    for (unsigned i = 0; i < 6; ++i)
        if (data.findAndGetFloat64(DCM_ImageOrientationPatient, orientation[i], i).bad())
            return std::nullopt;
    // normal = row direction x column direction
    const double nx = orientation[1] * orientation[5] - orientation[2] * orientation[4];
    const double ny = orientation[2] * orientation[3] - orientation[0] * orientation[5];
    const double nz = orientation[0] * orientation[4] - orientation[1] * orientation[3];
    return position[0] * nx + position[1] * ny + position[2] * nz;
}

}  // namespace

std::vector<SeriesEntry> imageSeries(const FolderScan& scan) {
    std::vector<SeriesEntry> out;
    for (const auto& h : scan.instances) {  // sorted by series, then position
        if (!h.hasPixels) continue;
        if (out.empty() || out.back().seriesUid != h.seriesUid) {
            SeriesEntry e;
            e.studyUid = h.studyUid;
            e.seriesUid = h.seriesUid;
            e.modality = h.modality;
            e.description = h.seriesDescription;
            e.patientName = h.patientName;
            e.studyDate = h.studyDate;
            e.rows = h.rows;
            e.columns = h.columns;
            std::string words = h.seriesDescription;
            std::transform(words.begin(), words.end(), words.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            e.localizer = h.imageType.find("LOCALIZER") != std::string::npos;
            for (const char* word : {"scout", "localizer", "localiser", "topogram", "surview"})
                e.localizer = e.localizer || words.find(word) != std::string::npos;
            out.push_back(std::move(e));
        }
        out.back().slices += h.frames;
        out.back().files.push_back(h.path);
    }
    return out;
}

const SeriesEntry* readingSeries(const std::vector<SeriesEntry>& series) {
    const SeriesEntry* best = nullptr;
    for (const auto& s : series)
        if (!s.localizer && (best == nullptr || s.slices > best->slices)) best = &s;
    if (best == nullptr && !series.empty()) best = &series.front();  // only localizers
    return best;
}

std::vector<std::string> filesBelow(const std::string& folder) {
    std::error_code ec;
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(
             folder, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it->is_regular_file(ec)) files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

FolderScan scanFolder(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw std::runtime_error("'" + folder + "' is not a folder");
    registerCodecs();  // also quiets DCMTK's own logging
    FolderScan scan;
    for (const auto& path : filesBelow(folder)) {
        DcmFileFormat file;
        countDicomFileParse();
        // Headers only: stop before the pixel data.
        const OFCondition status =
            file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                  ERM_autoDetect, DCM_PixelData);
        if (status.bad()) {
            scan.skipped.push_back({path, std::string("not readable as DICOM: ") + status.text()});
            continue;
        }
        DcmDataset& data = *file.getDataset();
        if (getString(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID) ==
            UID_MediaStorageDirectoryStorage) {
            scan.skipped.push_back({path, "DICOMDIR (an index, not an image)"});
            continue;
        }
        InstanceHeader h;
        h.path = path;
        h.patientId = getString(data, DCM_PatientID);
        h.patientName = getString(data, DCM_PatientName);
        h.studyUid = getString(data, DCM_StudyInstanceUID);
        h.studyDate = getString(data, DCM_StudyDate);
        h.studyDescription = getString(data, DCM_StudyDescription);
        h.seriesUid = getString(data, DCM_SeriesInstanceUID);
        h.modality = getString(data, DCM_Modality);
        h.seriesDescription = getString(data, DCM_SeriesDescription);
        h.sopUid = getString(data, DCM_SOPInstanceUID);
        Sint32 number = 0;
        if (data.findAndGetSint32(DCM_InstanceNumber, number).good()) h.instanceNumber = number;
        h.slicePosition = slicePosition(data);
        h.imageType = getString(data, DCM_ImageType);
        Uint16 rows = 0, columns = 0;
        data.findAndGetUint16(DCM_Rows, rows);
        data.findAndGetUint16(DCM_Columns, columns);
        h.rows = rows;
        h.columns = columns;
        Sint32 frames = 1;
        if (data.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1)
            h.frames = frames;
        const auto sopClass = getString(data, DCM_SOPClassUID);
        h.hasPixels =
            rows > 0 && columns > 0 && sopClass != UID_SegmentationStorage && h.modality != "SEG";
        if (h.studyUid.empty() || h.seriesUid.empty() || h.sopUid.empty()) {
            scan.skipped.push_back({path, "missing Study, Series or SOP Instance UID"});
            continue;
        }
        scan.instances.push_back(std::move(h));
    }
    std::sort(scan.instances.begin(), scan.instances.end(), [](const auto& a, const auto& b) {
        if (a.seriesUid != b.seriesUid) return a.seriesUid < b.seriesUid;
        if (a.slicePosition && b.slicePosition && *a.slicePosition != *b.slicePosition)
            return *a.slicePosition < *b.slicePosition;
        return a.instanceNumber.value_or(0) < b.instanceNumber.value_or(0);
    });
    return scan;
}

}  // namespace flowseg::dicom
