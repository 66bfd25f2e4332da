#pragma once
// Existing multi-reader work into the store, each reader becoming an expert:
// LIDC reader XML (each reader's nodules matched across readers into lesions),
// DICOM SEG (one file per reader, or one segment per reader), and a folder
// case's per-expert crop masks placed where the window crops the lesion.
// Plain C++ (the caller reads image files).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/dicom/lidc_xml.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#include "flowseg/review/lesion_crop.h"

namespace flowseg::review {

/// One reader's outlines of one lesion: slice index -> slice-sized mask.
struct ReaderOutlines {
    std::string reader;
    std::map<int, common::Mask> slices;
};

struct ImportedLesion {
    db::RowId lesionId = 0;
    std::string label;
    std::vector<std::string> readers;
    int outlines = 0;  ///< annotation versions written
};

/// LIDC XML: every reader's nodules, matched across readers (nodules of
/// different readers whose outlines overlap on a slice are one lesion); one entry
/// per lesion, a reader's nodules within it merged. ROIs on slices the series
/// does not hold are skipped (counted in `skipped` when given).
std::vector<std::vector<ReaderOutlines>> lidcLesions(const dicom::LidcDocument& document,
                                                     const dicom::Series& series,
                                                     int* skipped = nullptr);

/// DICOM SEG: each segment of each file is a reader (its label, or "<file> <label>"
/// when several files share a label); frames go to slices by the SOP Instance
/// UID they reference; fractional values count from 0.5. Throws DicomError for a
/// SEG of another series (naming both) or one whose frames reference no slice.
std::vector<ReaderOutlines> segReaders(const std::vector<std::string>& segPaths,
                                       const dicom::Series& series);

/// Per-expert masks of a folder case (DESIGN.md format: crop-sized, named by
/// expert) placed on the slice where `crop` was cut.
std::vector<ReaderOutlines> cropReaders(
    const std::vector<std::pair<std::string, common::Mask>>& masks, const LesionCrop& crop,
    int sliceWidth, int sliceHeight);

/// Writes `readers` as experts (role "imported reader") with one annotation per
/// outlined slice (source Imported), on lesion `lesionId` when given, else on a
/// new lesion of `seriesId` whose box and slices cover the outlines. One
/// transaction. Throws DatabaseError, or std::invalid_argument for no outline.
ImportedLesion importReaders(db::Database& database, db::RowId seriesId,
                             const std::vector<ReaderOutlines>& readers,
                             std::optional<db::RowId> lesionId = std::nullopt,
                             const std::string& label = "");

}  // namespace flowseg::review
