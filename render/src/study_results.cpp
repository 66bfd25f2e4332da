#include "flowseg/render/study_results.h"

#include <filesystem>

#include "flowseg/render/report_writer.h"
#include "flowseg/review/exports.h"
#include "flowseg/review/report_data.h"

namespace flowseg::render {

namespace fs = std::filesystem;

std::vector<std::string> writeStudyResults(db::Database& store, const std::string& studyUid,
                                           const dicom::Series& series, const std::string& folder) {
    review::ReportOptions options;
    options.deidentify = false;  // filed with the patient's own study
    options.resample = false;    // the stored runs, as the readers saw them
    const auto report = review::gatherStudyReport(store, studyUid, series, options);
    fs::create_directories(folder);
    const auto pdf = (fs::path(folder) / "report.pdf").string();
    writeReportPdf(report, series, pdf);
    review::ExportOptions exports;
    exports.png = exports.nifti = exports.tables = false;
    std::vector<std::string> files{review::exportReportDocument(report, series, pdf, folder)};
    for (auto& file : review::exportStudy(report, series, folder, exports))
        if (fs::path(file).extension() == ".dcm") files.push_back(std::move(file));
    return files;
}

}  // namespace flowseg::render
