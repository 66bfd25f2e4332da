#include "flowseg/review/case_import.h"

#include <cmath>
#include <filesystem>

#include "flowseg/dicom/series_writer.h"
#include "flowseg/imaging/patient_split.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/reader_import.h"
#include "flowseg/review/study_import.h"

namespace flowseg::review {

namespace {

common::Mask upscale(const common::Mask& mask, int factor) {
    common::Mask out(mask.height * factor, mask.width * factor);
    for (int y = 0; y < out.height; ++y)
        for (int x = 0; x < out.width; ++x) out.at(y, x) = mask.at(y / factor, x / factor);
    return out;
}

}  // namespace

CaseImportSummary importCases(db::Database& database,
                              const std::vector<common::MultiRaterCase>& cases,
                              const CaseImportOptions& options,
                              const std::function<void(int, int)>& progress) {
    if (options.dicomFolder.empty())
        throw std::invalid_argument("importCases needs a folder for the DICOM it writes");
    namespace fs = std::filesystem;
    CaseImportSummary summary;
    int done = 0;
    for (const auto& c : cases) {
        if (progress) progress(done++, static_cast<int>(cases.size()));
        std::vector<common::Mask> masks;
        bool marked = false;
        for (const auto& m : c.experts) {
            masks.push_back(m);
            marked = marked || masks.back().area() > 0;
        }
        if (!marked) {
            summary.skipped.push_back(c.id);
            continue;
        }
        const int side = c.image.width;
        const int factor = std::max(1, static_cast<int>(std::ceil(kCropFieldPixels / side)));
        dicom::SeriesToWrite series;
        series.patientId = imaging::patientOfCase(c.id);
        series.patientName = series.patientId;
        series.studyDescription = "multi-reader crop " + c.id;
        series.seriesDescription = c.id;
        series.width = series.height = side * factor;
        series.depth = 1;
        series.writePixelSpacing = false;  // crops carry no spacing: millimetres are nominal
        series.hu.resize(static_cast<size_t>(series.width) * series.height);
        // Grey [0, 1] as HU over [-1000, 1000]: the model scales a crop by its own
        // range, so any increasing map gives back the same input.
        for (int y = 0; y < series.height; ++y)
            for (int x = 0; x < series.width; ++x)
                series.hu[static_cast<size_t>(y) * series.width + x] = static_cast<float>(
                    std::round(-1000.0 + 2000.0 * c.image.at(y / factor, x / factor)));
        series.intercept = -1024;
        const auto folder = (fs::path(options.dicomFolder) / c.id).string();
        fs::remove_all(folder);
        dicom::writeSeries(folder, series);
        const auto seriesId = registerStudyFolder(database, folder).seriesIds.front();
        std::vector<ReaderOutlines> readers;
        for (size_t k = 0; k < masks.size(); ++k)
            readers.push_back({"reader " + std::to_string(k), {{0, upscale(masks[k], factor)}}});
        summary.outlines += importReaders(database, seriesId, readers, std::nullopt, c.id).outlines;
        ++summary.cases;
    }
    if (progress) progress(done, static_cast<int>(cases.size()));
    return summary;
}

}  // namespace flowseg::review
