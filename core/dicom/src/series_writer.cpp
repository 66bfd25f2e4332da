#include "flowseg/dicom/series_writer.h"

#include <dcmtk/dcmdata/dctk.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "dataset_writing.h"
#include "flowseg/common/parallel_for.h"
#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom {

namespace fs = std::filesystem;
using detail::newUid;
using detail::put;

namespace {

std::string joined(const std::array<double, 3>& a) {
    char text[128];
    std::snprintf(text, sizeof text, "%.6f\\%.6f\\%.6f", a[0], a[1], a[2]);
    return text;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

std::vector<std::string> writeSeries(const std::string& folder, const SeriesToWrite& s) {
    if (s.width <= 0 || s.height <= 0 || s.depth <= 0 ||
        s.hu.size() != static_cast<size_t>(s.width) * s.height * s.depth)
        throw DicomError("writeSeries: the volume size does not match its values");
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw DicomError("cannot create '" + folder + "': " + ec.message());
    const std::string studyUid = s.studyUid.empty() ? newUid() : s.studyUid;
    const std::string seriesUid = s.seriesUid.empty() ? newUid() : s.seriesUid;
    const std::string frameOfReference =
        s.frameOfReferenceUid.empty() ? newUid() : s.frameOfReferenceUid;
    const auto& g = s.geometry;
    char orientation[160];
    std::snprintf(orientation, sizeof orientation, "%.6f\\%.6f\\%.6f\\%.6f\\%.6f\\%.6f",
                  g.rowDirection[0], g.rowDirection[1], g.rowDirection[2], g.columnDirection[0],
                  g.columnDirection[1], g.columnDirection[2]);
    char spacing[64];
    std::snprintf(spacing, sizeof spacing, "%.6f\\%.6f", g.rowSpacing, g.columnSpacing);
    std::vector<std::string> paths;
    const size_t slicePixels = static_cast<size_t>(s.width) * s.height;
    for (int z = 0; z < s.depth; ++z) {
        DcmFileFormat file;
        DcmDataset& d = *file.getDataset();
        // Without a known pixel spacing the images are not CT Image objects (whose
        // Image Plane module requires it) but Secondary Capture ones that keep
        // the CT modality and the slice positions.
        put(d, DCM_SOPClassUID,
            s.writePixelSpacing ? UID_CTImageStorage : UID_SecondaryCaptureImageStorage);
        put(d, DCM_SOPInstanceUID,
            z < static_cast<int>(s.sopUids.size()) ? s.sopUids[static_cast<size_t>(z)] : newUid());
        put(d, DCM_StudyInstanceUID, studyUid);
        put(d, DCM_SeriesInstanceUID, seriesUid);
        put(d, DCM_FrameOfReferenceUID, frameOfReference);
        put(d, DCM_PatientID, s.patientId);
        put(d, DCM_PatientName, s.patientName);
        // Type 2 attributes are present, empty where there is nothing to say
        // (PS3.3 CT Image IOD; dciodvfy checks it in the tests).
        put(d, DCM_PatientBirthDate, "");
        put(d, DCM_PatientSex, "");
        put(d, DCM_StudyDate, s.studyDate);
        put(d, DCM_StudyTime, "120000");
        put(d, DCM_StudyID, "1");
        put(d, DCM_AccessionNumber, "");
        put(d, DCM_ReferringPhysicianName, "");
        put(d, DCM_StudyDescription, s.studyDescription);
        put(d, DCM_SeriesDescription, s.seriesDescription);
        put(d, DCM_Modality, "CT");
        put(d, DCM_SeriesNumber, std::to_string(s.seriesNumber));
        put(d, DCM_PatientPosition, "HFS");
        put(d, DCM_BodyPartExamined, "CHEST");
        put(d, DCM_PositionReferenceIndicator, "");
        put(d, DCM_Manufacturer, "FlowSeg");  // the equipment that wrote the object
        put(d, DCM_ImageType, s.imageType);
        put(d, DCM_AcquisitionNumber, "1");
        if (s.writePixelSpacing) {
            put(d, DCM_KVP, "");
        } else {
            put(d, DCM_ConversionType, "WSD");
            put(d, DCM_PatientOrientation, "L\\P");
        }
        const int instance = z < static_cast<int>(s.instanceNumbers.size())
                                 ? s.instanceNumbers[static_cast<size_t>(z)]
                                 : z + 1;
        put(d, DCM_InstanceNumber, std::to_string(instance));
        const std::array<double, 3> position{g.origin[0] + z * g.sliceSpacing * g.normal[0],
                                             g.origin[1] + z * g.sliceSpacing * g.normal[1],
                                             g.origin[2] + z * g.sliceSpacing * g.normal[2]};
        put(d, DCM_ImagePositionPatient, joined(position));
        put(d, DCM_ImageOrientationPatient, orientation);
        if (s.writePixelSpacing) put(d, DCM_PixelSpacing, spacing);
        char thickness[32];
        std::snprintf(thickness, sizeof thickness, "%.4f", g.sliceSpacing);
        put(d, DCM_SliceThickness, thickness);
        put(d, DCM_SamplesPerPixel, "1");
        put(d, DCM_PhotometricInterpretation, "MONOCHROME2");
        d.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(s.height));
        d.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(s.width));
        d.putAndInsertUint16(DCM_BitsAllocated, 16);
        d.putAndInsertUint16(DCM_BitsStored, 16);
        d.putAndInsertUint16(DCM_HighBit, 15);
        d.putAndInsertUint16(DCM_PixelRepresentation, 1);
        char intercept[32];
        std::snprintf(intercept, sizeof intercept, "%.1f", s.intercept);
        put(d, DCM_RescaleIntercept, intercept);
        put(d, DCM_RescaleSlope, "1");
        put(d, DCM_RescaleType, "HU");
        put(d, DCM_WindowCenter, "-600\\40");
        put(d, DCM_WindowWidth, "1500\\400");
        put(d, DCM_WindowCenterWidthExplanation, "LUNG\\SOFT TISSUE");
        std::vector<Sint16> stored(slicePixels);
        for (size_t i = 0; i < slicePixels; ++i) {
            const double v =
                std::round(s.hu[static_cast<size_t>(z) * slicePixels + i] - s.intercept);
            stored[i] = static_cast<Sint16>(std::clamp(v, -32768.0, 32767.0));
        }
        d.putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(stored.data()),
                                  static_cast<unsigned long>(slicePixels));
        char name[256];
        std::snprintf(name, sizeof name, s.fileNamePattern.c_str(), z);
        const auto path = (fs::path(folder) / name).string();
        const OFCondition saved = file.saveFile(
            path.c_str(), s.deflate ? EXS_DeflatedLittleEndianExplicit : EXS_LittleEndianExplicit);
        if (saved.bad()) throw DicomError("cannot write '" + path + "': " + saved.text());
        paths.push_back(path);
    }
    return paths;
}

std::vector<DemoNodule> demoNodules() {
    // Solid (sharp edge), part-solid (soft edge), ground glass (faint, soft).
    return {{80, 110, 14, 6.0, 0.6, 40, "solid"},
            {178, 96, 22, 5.0, 1.8, -150, "part-solid"},
            {92, 170, 28, 7.0, 2.2, -550, "ground glass"}};
}

namespace {

/// The demo chest's HU (without noise) at a point of its 256 x 256 x 40 grid
/// (continuous coordinates: any resampling of it draws the same anatomy).
double demoHu(double x, double y, double z, const std::vector<DemoNodule>& nodules) {
    const double bx = (x - 128.0) / 118.0;
    const double by = (y - 132.0) / 92.0;
    double hu = -1000;                     // air
    if (bx * bx + by * by < 1.0) hu = 35;  // soft tissue of the chest wall
    const double lx1 = (x - 82.0) / 52.0, ly = (y - 126.0) / 68.0, lx2 = (x - 174.0) / 52.0;
    const bool lung = lx1 * lx1 + ly * ly < 1.0 || lx2 * lx2 + ly * ly < 1.0;
    if (lung) hu = -860;
    const double sx = (x - 128.0) / 14.0, sy = (y - 200.0) / 14.0;
    if (sx * sx + sy * sy < 1.0) hu = 650;  // vertebral body
    if (lung) {
        // A few vessels running through the slices.
        const double vessels[][3] = {{70, 90, 0.7}, {190, 150, -0.5}, {120, 120, 0.2}};
        for (const auto& v : vessels) {
            const double cx = v[0] + v[2] * z;
            const double d = std::hypot(x - cx, y - (v[1] + 0.3 * z));
            hu = std::max(hu, -860 + 900 * sigmoid((2.2 - d) / 0.6));
        }
        for (const auto& n : nodules) {
            const double dz = (z - n.slice) * 1.25 / 0.7;
            const double d = std::sqrt((x - n.x) * (x - n.x) + (y - n.y) * (y - n.y) + dz * dz);
            hu = std::max(hu, -860 + (n.hu + 860) * sigmoid((n.radius - d) / n.softness));
        }
    }
    return hu;
}

}  // namespace

SeriesToWrite demoChestCt(unsigned seed) {
    SeriesToWrite s;
    s.width = 256;
    s.height = 256;
    s.depth = 40;
    s.geometry.rowSpacing = s.geometry.columnSpacing = 0.7;
    s.geometry.sliceSpacing = 1.25;
    s.geometry.origin = {-89.6, -89.6, -150.0};
    s.hu.assign(static_cast<size_t>(s.width) * s.height * s.depth, -1000.0F);
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 18.0);
    const auto nodules = demoNodules();
    for (int z = 0; z < s.depth; ++z)
        for (int y = 0; y < s.height; ++y)
            for (int x = 0; x < s.width; ++x)
                s.hu[(static_cast<size_t>(z) * s.height + y) * s.width + x] =
                    static_cast<float>(demoHu(x, y, z, nodules) + noise(rng));
    return s;
}

SeriesToWrite syntheticChestCt(int width, int height, int depth, double pixelMm, double sliceMm,
                               unsigned seed) {
    SeriesToWrite s;
    s.width = width;
    s.height = height;
    s.depth = depth;
    s.geometry.rowSpacing = s.geometry.columnSpacing = pixelMm;
    s.geometry.sliceSpacing = sliceMm;
    s.geometry.origin = {-pixelMm * width / 2, -pixelMm * height / 2, -sliceMm * depth};
    s.hu.assign(static_cast<size_t>(width) * height * depth, -1000.0F);
    const auto nodules = demoNodules();
    const double fx = 256.0 / width, fy = 256.0 / height, fz = 40.0 / depth;
    common::parallelFor(static_cast<size_t>(depth), 0, [&](size_t slice) {
        std::mt19937 rng(seed * 100003U + static_cast<unsigned>(slice));
        std::normal_distribution<double> noise(0.0, 18.0);
        const double z = (static_cast<double>(slice) + 0.5) * fz - 0.5;
        float* out = s.hu.data() + slice * static_cast<size_t>(width) * height;
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                out[static_cast<size_t>(y) * width + x] = static_cast<float>(
                    demoHu((x + 0.5) * fx - 0.5, (y + 0.5) * fy - 0.5, z, nodules) + noise(rng));
    });
    return s;
}

std::vector<std::string> writeFullSizeStudy(const std::string& folder, unsigned seed) {
    auto thin = syntheticChestCt(512, 512, 500, 0.7, 0.625, seed);
    thin.patientId = "FLOWSEG-FULLSIZE";
    thin.patientName = "Fullsize^Demo";
    thin.studyUid = newUid();
    thin.frameOfReferenceUid = newUid();
    thin.studyDescription = "FlowSeg full-size synthetic chest CT";
    thin.seriesDescription = "Chest 0.625 mm";
    thin.seriesNumber = 3;
    thin.fileNamePattern = "thin_%03d.dcm";
    auto paths = writeSeries((fs::path(folder) / "thin").string(), thin);
    // 5 mm: eight thin slices averaged into one.
    SeriesToWrite thick = thin;
    thick.seriesUid.clear();
    thick.sopUids.clear();
    thick.depth = thin.depth / 8;
    thick.geometry.sliceSpacing = thin.geometry.sliceSpacing * 8;
    thick.geometry.origin[2] += thin.geometry.sliceSpacing * 3.5;
    thick.seriesDescription = "Chest 5 mm";
    thick.seriesNumber = 2;
    thick.fileNamePattern = "thick_%03d.dcm";
    const size_t plane = static_cast<size_t>(thin.width) * thin.height;
    thick.hu.assign(plane * thick.depth, 0.0F);
    for (int z = 0; z < thick.depth; ++z)
        for (int k = 0; k < 8; ++k)
            for (size_t i = 0; i < plane; ++i)
                thick.hu[z * plane + i] +=
                    thin.hu[(static_cast<size_t>(z) * 8 + k) * plane + i] / 8;
    for (auto& p : writeSeries((fs::path(folder) / "thick").string(), thick))
        paths.push_back(std::move(p));
    thick.hu = {};
    // The scout: a coronal projection (mean over the rows), head at the top.
    SeriesToWrite scout = thin;
    scout.seriesUid.clear();
    scout.sopUids.clear();
    scout.width = thin.width;
    scout.height = thin.depth;
    scout.depth = 1;
    scout.geometry.rowSpacing = thin.geometry.sliceSpacing;
    scout.geometry.columnSpacing = thin.geometry.columnSpacing;
    scout.geometry.rowDirection = {1, 0, 0};
    scout.geometry.columnDirection = {0, 0, -1};
    scout.geometry.normal = {0, 1, 0};
    scout.geometry.origin = {thin.geometry.origin[0], 0,
                             thin.geometry.origin[2] + thin.geometry.sliceSpacing * thin.depth};
    scout.imageType = "ORIGINAL\\PRIMARY\\LOCALIZER";
    scout.seriesDescription = "Scout";
    scout.seriesNumber = 1;
    scout.fileNamePattern = "scout_%03d.dcm";
    scout.hu.assign(static_cast<size_t>(scout.width) * scout.height, 0.0F);
    for (int z = 0; z < thin.depth; ++z)
        for (int y = 0; y < thin.height; ++y)
            for (int x = 0; x < thin.width; ++x)
                scout.hu[static_cast<size_t>(thin.depth - 1 - z) * scout.width + x] +=
                    thin.hu[(static_cast<size_t>(z) * thin.height + y) * thin.width + x] /
                    static_cast<float>(thin.height);
    for (auto& p : writeSeries((fs::path(folder) / "scout").string(), scout))
        paths.push_back(std::move(p));
    return paths;
}

}  // namespace flowseg::dicom
