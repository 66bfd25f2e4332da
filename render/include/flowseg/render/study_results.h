#pragma once
// A study's results as DICOM for its PACS: the identified report (PDF, also as
// an Encapsulated PDF in the study) and each lesion's SEG (the experts'
// outlines, the samples, the probability), from the store's stored runs as the
// readers saw them (not re-run). Shared by `flowseg pacs store-results` and the
// window's PACS dock. Needs a QGuiApplication (the PDF).

#include <string>
#include <vector>

#include "flowseg/dicom/series.h"

namespace flowseg::db {
class Database;
}

namespace flowseg::render {

/// Writes them into `folder` (report.pdf, report.dcm, lesion_<id>/*.seg.dcm)
/// and returns the DICOM files, report.dcm first. Throws std::runtime_error
/// naming what is missing.
std::vector<std::string> writeStudyResults(db::Database& store, const std::string& studyUid,
                                           const dicom::Series& series, const std::string& folder);

/// The same into a new temporary folder that goes with this object (what is
/// sent to a PACS need not stay on disk).
class TemporaryResults {
public:
    TemporaryResults(db::Database& store, const std::string& studyUid, const dicom::Series& series);
    ~TemporaryResults();
    TemporaryResults(TemporaryResults&& other) noexcept;
    TemporaryResults& operator=(TemporaryResults&&) = delete;
    TemporaryResults(const TemporaryResults&) = delete;
    TemporaryResults& operator=(const TemporaryResults&) = delete;

    [[nodiscard]] const std::string& folder() const { return m_folder; }
    /// The DICOM files, report.dcm first.
    [[nodiscard]] const std::vector<std::string>& files() const { return m_files; }

private:
    std::string m_folder;
    std::vector<std::string> m_files;
};

}  // namespace flowseg::render
