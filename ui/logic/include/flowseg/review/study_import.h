#pragma once
// Registering DICOM studies in the annotation store (headers only; pixels stay in
// the files). Shared by `flowseg db import-study` and the review window.

#include <cstddef>
#include <string>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"
#include "flowseg/dicom/study_scan.h"

namespace flowseg::review {

struct ImportSummary {
    std::size_t studies = 0;
    std::size_t series = 0;
    std::size_t images = 0;
    std::vector<db::RowId> seriesIds;        ///< store ids of the series found
    std::vector<dicom::SkippedFile> skipped; ///< files that are not readable DICOM images
};

/// Scans `folder` and upserts its studies, series and image references in one
/// transaction. Throws std::runtime_error when the folder holds no DICOM image.
ImportSummary registerStudyFolder(db::Database& database, const std::string& folder);

}  // namespace flowseg::review
