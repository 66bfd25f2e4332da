#pragma once
// A study's results as DICOM for its PACS: the identified report (PDF, as an
// Encapsulated PDF) and each lesion's SEGs (experts' outlines, the samples, the
// probability), written from the store into a folder. Built with the report
// (FLOWSEG_HAVE_REPORT).

#include <string>
#include <vector>

namespace flowseg::cli {

/// Writes the results of `studyUid` in `store` into `folder` and returns the
/// DICOM files among them (report.dcm first). Throws std::runtime_error naming
/// what is missing.
std::vector<std::string> writeStudyResults(const std::string& store, const std::string& studyUid,
                                           const std::string& folder);

}  // namespace flowseg::cli
