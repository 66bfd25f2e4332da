#include "flowseg/render/study_results.h"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

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

TemporaryResults::TemporaryResults(db::Database& store, const std::string& studyUid,
                                   const dicom::Series& series) {
    std::string pattern = (fs::temp_directory_path() / "flowseg-results-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("cannot create a temporary folder in " +
                                 fs::temp_directory_path().string());
    m_folder = pattern;
    try {
        m_files = writeStudyResults(store, studyUid, series, m_folder);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(m_folder, ec);
        throw;
    }
}

TemporaryResults::~TemporaryResults() {
    if (m_folder.empty()) return;
    std::error_code ec;
    fs::remove_all(m_folder, ec);
}

TemporaryResults::TemporaryResults(TemporaryResults&& other) noexcept
    : m_folder(std::move(other.m_folder)), m_files(std::move(other.m_files)) {
    other.m_folder.clear();
}

}  // namespace flowseg::render
