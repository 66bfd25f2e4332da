#include "flowseg/dicom/series.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include "flowseg/common/parallel_for.h"
#include "flowseg/dicom/dicom_error.h"
#include "functional_groups.h"
#include "loaded_file.h"

namespace flowseg::dicom {

namespace fs = std::filesystem;
using Vec3 = std::array<double, 3>;

namespace {

struct Slice {
    std::string file, sopUid;
    std::optional<long> instanceNumber;
    std::optional<Vec3> position;
    std::optional<std::array<double, 6>> orientation;
    std::optional<std::array<double, 2>> spacing;
    int rows = 0, columns = 0;
    std::vector<float> values;
    double along = 0;  // position along the normal
};

struct FileHeader {
    std::string patientId, patientName, studyUid, studyDate, studyDescription;
    std::string seriesUid, modality, seriesDescription;
    TransferSyntax syntax;
    std::vector<WindowPreset> windows;
};

std::string text(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    item.findAndGetOFStringArray(tag, value);
    return value.c_str();
}

Vec3 cross(const Vec3& a, const Vec3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

std::vector<WindowPreset> headerWindows(DcmItem& data) {
    std::vector<WindowPreset> out;
    for (unsigned long i = 0;; ++i) {
        Float64 center = 0, width = 0;
        if (data.findAndGetFloat64(DCM_WindowCenter, center, i).bad() ||
            data.findAndGetFloat64(DCM_WindowWidth, width, i).bad() || width <= 0)
            break;
        OFString name;
        data.findAndGetOFString(DCM_WindowCenterWidthExplanation, name, i);
        out.push_back({name.empty() ? "header " + std::to_string(i + 1) : std::string(name.c_str()),
                       center, width});
    }
    return out;
}

std::string groupKey(const std::string& seriesUid, const Slice& s) {
    std::ostringstream key;
    key << seriesUid << '|' << s.rows << 'x' << s.columns;
    if (s.orientation)
        for (double v : *s.orientation) key << '|' << std::lround(v * 1000);
    return key.str();
}

Series assemble(std::vector<Slice>& slices, const FileHeader& header) {
    Series series;
    series.patientId = header.patientId;
    series.patientName = header.patientName;
    series.studyUid = header.studyUid;
    series.studyDate = header.studyDate;
    series.studyDescription = header.studyDescription;
    series.seriesUid = header.seriesUid;
    series.modality = header.modality;
    series.seriesDescription = header.seriesDescription;
    series.transferSyntax = header.syntax;
    auto& g = series.geometry;
    const bool positioned = std::all_of(slices.begin(), slices.end(),
                                        [](const Slice& s) { return s.position && s.orientation; });
    if (positioned) {
        const auto& o = *slices.front().orientation;
        g.rowDirection = {o[0], o[1], o[2]};
        g.columnDirection = {o[3], o[4], o[5]};
        g.normal = cross(g.rowDirection, g.columnDirection);
        for (auto& s : slices) s.along = dot(*s.position, g.normal);
        std::stable_sort(slices.begin(), slices.end(),
                         [](const Slice& a, const Slice& b) { return a.along < b.along; });
        g.origin = *slices.front().position;
        g.hasPositions = true;
    } else {
        std::stable_sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
            return a.instanceNumber.value_or(0) < b.instanceNumber.value_or(0);
        });
        if (slices.size() > 1)
            series.warnings.push_back(
                "no ImagePositionPatient/ImageOrientationPatient: slices ordered by "
                "InstanceNumber, spacing unknown");
        for (size_t i = 0; i < slices.size(); ++i) slices[i].along = static_cast<double>(i);
    }
    if (slices.front().spacing) {
        g.hasSpacing = true;
        g.rowSpacing = (*slices.front().spacing)[0];
        g.columnSpacing = (*slices.front().spacing)[1];
    }
    if (positioned && slices.size() > 1) {
        std::vector<double> gaps;
        for (size_t i = 1; i < slices.size(); ++i)
            gaps.push_back(slices[i].along - slices[i - 1].along);
        auto sorted = gaps;
        std::sort(sorted.begin(), sorted.end());
        g.sliceSpacing = sorted[sorted.size() / 2];
        for (size_t i = 0; i < gaps.size(); ++i) {
            if (gaps[i] < 1e-3) {
                series.warnings.push_back("slices " + std::to_string(i) + " and " +
                                          std::to_string(i + 1) +
                                          " share one position (duplicate slices?)");
            } else if (g.sliceSpacing > 0 &&
                       std::abs(gaps[i] - g.sliceSpacing) > 0.1 * g.sliceSpacing) {
                std::ostringstream w;
                w << "uneven slice spacing: " << gaps[i] << " mm between slices " << i << " and "
                  << i + 1 << " (usual " << g.sliceSpacing << " mm; missing slices?)";
                series.warnings.push_back(w.str());
            }
        }
        const Vec3 span{slices.back().position->at(0) - g.origin[0],
                        slices.back().position->at(1) - g.origin[1],
                        slices.back().position->at(2) - g.origin[2]};
        const double length = std::sqrt(dot(span, span));
        if (length > 1e-6) {
            const double angle =
                std::acos(std::min(1.0, std::abs(dot(span, g.normal)) / length)) * 180.0 / M_PI;
            if (angle > 0.5) {
                std::ostringstream w;
                w << "gantry tilt of " << std::round(angle * 10) / 10
                  << " degrees: slices are sheared, geometry is approximate";
                series.warnings.push_back(w.str());
            }
        }
    }
    series.width = slices.front().columns;
    series.height = slices.front().rows;
    series.depth = static_cast<int>(slices.size());
    series.values.reserve(static_cast<size_t>(series.width) * series.height * series.depth);
    size_t moved = 0;
    for (auto& s : slices) {
        series.values.insert(series.values.end(), s.values.begin(), s.values.end());
        series.slicePositions.push_back(s.along);
        series.sopUids.push_back(s.sopUid);
        series.files.push_back(s.file);
        series.instanceNumbers.push_back(
            s.instanceNumber ? std::optional<long>(*s.instanceNumber / 100000L) : std::nullopt);
        std::vector<float>().swap(s.values);  // its memory, not only its size
#ifdef __GLIBC__
        // The slices were decoded into the heap; as each moves into the volume, its
        // pages go back to the system, so the series is held about once, not twice.
        if (++moved % 16 == 0) malloc_trim(0);
#endif
    }
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    series.windows = header.windows;
    for (const auto& w : standardWindows()) series.windows.push_back(w);
    return series;
}

}  // namespace

std::vector<WindowPreset> standardWindows() {
    return {{"lung", -600, 1500},
            {"mediastinum", 50, 350},
            {"bone", 400, 1800},
            {"soft tissue", 40, 400},
            {"brain", 40, 80}};
}

namespace {

/// One file's part of a load: its slices (frames) and header, or why it was skipped.
struct FileResult {
    std::optional<SkippedFile> skipped;
    FileHeader header;
    std::vector<Slice> slices;
};

FileResult decodeFile(const std::string& path) {
    FileResult out;
    try {
        DcmFileFormat file;
        loadDicomFile(file, path);
        if (text(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID) ==
            UID_MediaStorageDirectoryStorage) {
            out.skipped = SkippedFile{path, "DICOMDIR (an index, not an image)"};
            return out;
        }
        DcmDataset& data = *file.getDataset();
        if (!data.tagExists(DCM_PixelData)) {
            out.skipped =
                SkippedFile{path, "no pixel data (" + text(data, DCM_Modality) + " object)"};
            return out;
        }
        auto pixels = decodeLoadedPixels(file, path);
        out.header = {text(data, DCM_PatientID),
                      text(data, DCM_PatientName),
                      text(data, DCM_StudyInstanceUID),
                      text(data, DCM_StudyDate),
                      text(data, DCM_StudyDescription),
                      text(data, DCM_SeriesInstanceUID),
                      text(data, DCM_Modality),
                      text(data, DCM_SeriesDescription),
                      pixels.transferSyntax,
                      headerWindows(data)};
        if (out.header.seriesUid.empty()) out.header.seriesUid = "no-series-uid:" + path;
        const auto sop = text(data, DCM_SOPInstanceUID);
        Sint32 number = 0;
        const size_t framePixels = static_cast<size_t>(pixels.rows) * pixels.columns;
        for (int f = 0; f < pixels.frames; ++f) {
            Slice s;
            s.file = path;
            s.sopUid = pixels.frames > 1 ? sop + "#" + std::to_string(f + 1) : sop;
            if (data.findAndGetSint32(DCM_InstanceNumber, number).good())
                s.instanceNumber = number * 100000L + f;
            s.position = positionForFrame(data, f);
            s.orientation = orientationForFrame(data, f);
            s.spacing = pixelSpacingForFrame(data, f);
            s.rows = pixels.rows;
            s.columns = pixels.columns;
            if (pixels.frames == 1)
                s.values = std::move(pixels.values);  // held once
            else
                s.values.assign(
                    pixels.values.begin() + static_cast<std::ptrdiff_t>(framePixels * f),
                    pixels.values.begin() + static_cast<std::ptrdiff_t>(framePixels * (f + 1)));
            out.slices.push_back(std::move(s));
        }
    } catch (const DicomError& e) {
        out.skipped = SkippedFile{path, e.what()};
    }
    return out;
}

}  // namespace

StudyLoad loadFiles(const std::vector<std::string>& files, const LoadOptions& options) {
    registerCodecs();  // once, before the threads
    std::vector<FileResult> decoded(files.size());
    std::atomic<bool> stopped{false};
    std::atomic<int> done{0};
    std::mutex progressMutex;
    common::parallelFor(files.size(), options.threads, [&](size_t i) {
        if (stopped.load() || (options.cancelled && options.cancelled())) {
            stopped = true;
            return;
        }
        decoded[i] = decodeFile(files[i]);
        const int count = ++done;
        if (options.progress) {
            std::lock_guard<std::mutex> lock(progressMutex);
            options.progress(count, static_cast<int>(files.size()));
        }
    });
    if (stopped.load())
        throw LoadCancelled("loading cancelled after " + std::to_string(done.load()) + " of " +
                            std::to_string(files.size()) + " files");
    StudyLoad result;
    std::map<std::string, std::vector<Slice>> groups;
    std::map<std::string, FileHeader> headers;
    std::map<std::string, std::set<std::string>> keysOfSeries;
    for (auto& file : decoded) {
        if (file.skipped) {
            result.skipped.push_back(std::move(*file.skipped));
            continue;
        }
        for (auto& s : file.slices) {
            const auto key = groupKey(file.header.seriesUid, s);
            keysOfSeries[file.header.seriesUid].insert(key);
            headers.emplace(key, file.header);
            groups[key].push_back(std::move(s));
        }
        file = {};
    }
    for (auto& [key, slices] : groups) {
        auto series = assemble(slices, headers.at(key));
        const auto stacks = keysOfSeries[series.seriesUid].size();
        if (stacks > 1)
            series.warnings.push_back(
                "the series mixes " + std::to_string(stacks) +
                " orientations or image sizes; it was split and this is one stack of it");
        result.series.push_back(std::move(series));
    }
    return result;
}

Series loadMiddleSlice(const SeriesEntry& entry) {
    if (entry.files.empty()) throw DicomError("series " + entry.seriesUid + " has no file");
    const auto& file = entry.files[entry.files.size() / 2];
    auto load = loadFiles({file}, LoadOptions{1, {}, {}});
    if (load.series.empty())
        throw DicomError(load.skipped.empty() ? "'" + file + "' holds no image"
                                              : load.skipped.front().reason);
    auto series = std::move(load.series.front());
    if (series.depth > 1) {  // a multi-frame file: its middle frame
        const size_t frame = static_cast<size_t>(series.width) * series.height;
        const auto middle = static_cast<size_t>(series.depth / 2);
        std::vector<float> one(
            series.values.begin() + static_cast<std::ptrdiff_t>(frame * middle),
            series.values.begin() + static_cast<std::ptrdiff_t>(frame * (middle + 1)));
        series.values = std::move(one);
        series.depth = 1;
        series.slicePositions = {series.slicePositions[middle]};
        series.sopUids = {series.sopUids[middle]};
        series.files = {series.files[middle]};
        series.instanceNumbers = {series.instanceNumbers[middle]};
    }
    return series;
}

StudyLoad loadFolder(const std::string& folder, const LoadOptions& options) {
    std::error_code ec;
    if (fs::is_regular_file(folder, ec)) return loadFiles({folder}, options);
    if (!fs::is_directory(folder, ec))
        throw DicomError("'" + folder + "' is neither a DICOM file nor a folder");
    return loadFiles(filesBelow(folder), options);
}

}  // namespace flowseg::dicom
