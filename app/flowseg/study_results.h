#pragma once
// A study's results as DICOM for its PACS: the identified report (PDF, as an
// Encapsulated PDF) and each lesion's SEGs (experts' outlines, the samples, the
// probability), written from the store into a folder. Built with the report
// (FLOWSEG_HAVE_REPORT).

#include <string>

#include "flowseg/render/study_results.h"

namespace flowseg::cli {

/// The results of `studyUid` in `store`, written into a temporary folder (gone
/// with the returned object). Throws std::runtime_error naming what is missing.
render::TemporaryResults studyResults(const std::string& store, const std::string& studyUid);

}  // namespace flowseg::cli
