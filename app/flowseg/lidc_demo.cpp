#include "lidc_demo.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "flowseg/dicom/dicom_error.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/imaging/image_io.h"

namespace flowseg::cli {

namespace fs = std::filesystem;

namespace {

struct SourceSlice {
    int number = 0;  ///< the export's slice N (1-based)
    double z = 0;
    std::string sopUid;
};

const char* kReadme = R"(# The real LIDC demo study (flowseg-review --demo lidc)

One real lung nodule from the public LIDC-IDRI collection: patient
LIDC-IDRI-0004, five consecutive axial slices 1.25 mm apart, with the outlines
of the four LIDC readers, who disagree (on the middle slice they mark 15, 15,
32 and 44 pixels).

- `ct/`: the five slices as DICOM CT (Deflated Explicit VR Little Endian), with
  the study's real Study and SOP Instance UIDs and z positions.
- `readers.seg.dcm`: a DICOM SEG with one segment per reader ("LIDC reader 1"
  ... "LIDC reader 4"); the window imports each as an expert.

**Pixel spacing is nominal.** The export this demo was made from (the LIDC
Toolbox's sample output) keeps z positions and SOP UIDs but not the pixel
spacing, and no public source for this series' spacing was at hand, so the
files carry no PixelSpacing: the window measures in nominal millimetres (1 mm
per pixel; LIDC pixels are 0.5-0.9 mm) and says so wherever it shows them.

Credits: LIDC-IDRI, The Cancer Imaging Archive (TCIA), CC BY 3.0 — Armato et
al., Medical Physics 38(2), 2011. Exported by the LIDC Toolbox (GitHub
TesterTi/LIDCToolbox, `sample_output/`, GPL-2). Rebuilt with
`flowseg demo-study --lidc ../shared/data/lidc-idri-0004 --out resources/demo-lidc`.
)";

}  // namespace

nlohmann::json writeLidcDemo(const std::string& source, const std::string& out) {
    // images/<study>/sliceN.tif, gts/<study>/sliceN/GT_idK.tif, slice_correspondences.txt
    fs::path studyDir;
    for (const auto& entry : fs::directory_iterator(fs::path(source) / "images"))
        if (entry.is_directory()) studyDir = entry.path();
    if (studyDir.empty()) throw dicom::DicomError("'" + source + "/images' holds no study folder");
    const auto gts = fs::path(source) / "gts" / studyDir.filename();
    std::ifstream table(studyDir / "slice_correspondences.txt");
    if (!table)
        throw dicom::DicomError("no slice_correspondences.txt in '" + studyDir.string() + "'");
    std::string studyUid;
    std::vector<SourceSlice> slices;
    const std::regex sliceLine(
        R"(slice:\s*(\d+)\s*-\s*z pos:\s*([-0-9.]+)\s*-\s*SOPInstanceUID:\s*([0-9.]+))");
    const std::regex studyLine(R"(Study Instance UID:\s*([0-9.]+))");
    for (std::string line; std::getline(table, line);) {
        std::smatch m;
        if (std::regex_search(line, m, studyLine))
            studyUid = m[1];
        else if (std::regex_search(line, m, sliceLine))
            slices.push_back({std::stoi(m[1]), std::stod(m[2]), m[3]});
    }
    if (slices.size() < 2)
        throw dicom::DicomError("fewer than two slices listed in slice_correspondences.txt");
    std::sort(slices.begin(), slices.end(), [](const auto& a, const auto& b) { return a.z < b.z; });

    dicom::SeriesToWrite s;
    s.patientId = "LIDC-IDRI-0004";
    s.patientName = "LIDC-IDRI-0004";
    s.studyUid = studyUid;
    s.studyDescription = "LIDC-IDRI-0004 lung nodule, four readers";
    s.seriesDescription = "LIDC-IDRI-0004, 5 slices (nominal pixel spacing)";
    s.studyDate = "20000101";
    s.depth = static_cast<int>(slices.size());
    s.geometry.origin = {0, 0, slices.front().z};
    s.geometry.sliceSpacing = (slices.back().z - slices.front().z) / (s.depth - 1);
    s.writePixelSpacing = false;
    s.deflate = true;
    for (const auto& slice : slices) {
        // 16-bit TIFF of the stored values; HU = stored - 1024 for this scanner.
        const auto image = imaging::readGrayImage(
            (studyDir / ("slice" + std::to_string(slice.number) + ".tif")).string());
        s.width = image.width;
        s.height = image.height;
        for (const float v : image.pixels) s.hu.push_back(std::round(v * 65535.0F) - 1024.0F);
        s.sopUids.push_back(slice.sopUid);
    }
    const auto ct = fs::path(out) / "ct";
    const auto files = dicom::writeSeries(ct.string(), s);
    const auto load = dicom::loadFiles(files);
    if (load.series.size() != 1)
        throw dicom::DicomError("the written demo series did not load back as one series");
    const auto& series = load.series.front();
    std::map<std::string, int> sliceOf;
    for (int z = 0; z < series.depth; ++z) sliceOf[series.sopUids[static_cast<size_t>(z)]] = z;
    std::vector<dicom::BinarySegment> readers;
    for (int k = 1; k <= 4; ++k) {
        dicom::BinarySegment segment{"LIDC reader " + std::to_string(k), {}};
        for (const auto& slice : slices) {
            const auto file = gts / ("slice" + std::to_string(slice.number)) /
                              ("GT_id" + std::to_string(k) + ".tif");
            if (!fs::exists(file)) continue;
            segment.slices[sliceOf.at(slice.sopUid)] = imaging::readMask(file.string());
        }
        readers.push_back(std::move(segment));
    }
    dicom::writeBinarySeg((fs::path(out) / "readers.seg.dcm").string(), series, readers,
                          "LIDC-IDRI-0004 readers' outlines");
    std::ofstream(fs::path(out) / "README.md") << kReadme;
    nlohmann::json summary{
        {"out", out}, {"slices", series.depth}, {"width", series.width}, {"height", series.height}};
    for (const auto& r : readers) {
        long area = 0;
        for (const auto& [z, mask] : r.slices) area += mask.area();
        summary["readers"].push_back(
            {{"label", r.label}, {"slices", r.slices.size()}, {"pixels", area}});
    }
    return summary;
}

}  // namespace flowseg::cli
