#pragma once
// Registering DICOM studies in the annotation store (references only; pixels stay
// in the files). Shared by `flowseg db import-study` and the review window.

#include <cstddef>
#include <string>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/study_scan.h"

namespace flowseg::review {

struct ImportSummary {
    std::size_t studies = 0;
    std::size_t series = 0;
    std::size_t images = 0;
    std::vector<db::RowId> seriesIds;         ///< store ids of the series, in the order given
    std::vector<dicom::SkippedFile> skipped;  ///< files that are not readable DICOM images
};

/// Upserts the studies, series and image references of series already loaded
/// (the review window's path: the files were parsed once, to load them; nothing is
/// read again). Each series is stored with its own files, and as its source the
/// folder that holds them. One transaction.
ImportSummary registerLoadedSeries(db::Database& database,
                                   const std::vector<dicom::Series>& series);

/// Scans the headers below `folder` (no pixel data) and upserts the same rows
/// (`flowseg db import-study`). Throws std::runtime_error when the folder holds no
/// DICOM image.
ImportSummary registerStudyFolder(db::Database& database, const std::string& folder);

/// The same from a scan already made (the window reads the headers once).
/// `seriesIds` follow the scan's series order.
ImportSummary registerScan(db::Database& database, const dicom::FolderScan& scan);

}  // namespace flowseg::review
