#pragma once
// A folder dataset of multi-reader crops (DESIGN.md: image + one mask per reader)
// into the store as studies the app can open and learn from: each case becomes a
// one-slice DICOM series (written under a folder of the caller's choosing, its
// patient the case id up to the first '_'), its readers imported experts on one
// lesion whose box is the union of their outlines — so the window's crop of it
// is the case's own crop, pixel for pixel. A site brings its readers' crops this
// way to fine-tune the model (flowseg db import-cases, then flowseg finetune).
// Plain C++.

#include <functional>
#include <string>
#include <vector>

#include "flowseg/common/types.h"
#include "flowseg/db/database.h"

namespace flowseg::review {

struct CaseImportOptions {
    std::string dicomFolder;  ///< one sub-folder per case is written here (created)
};

struct CaseImportSummary {
    int cases = 0;                     ///< imported
    int outlines = 0;                  ///< annotation versions written (empty ones included)
    std::vector<std::string> skipped;  ///< case ids no reader marked
};

/// Imports `cases` as above. The slice is the crop scaled up by a whole factor to
/// at least kCropFieldPixels (a 128-pixel crop as it is; a 32-pixel one 4x, so
/// the window's 128-pixel field shrinks back to it). Every reader's mask is
/// stored, empty ones too (a reader who saw no lesion there). `progress(done,
/// total)` is called per case. Throws DicomError / DatabaseError.
CaseImportSummary importCases(db::Database& database,
                              const std::vector<common::MultiRaterCase>& cases,
                              const CaseImportOptions& options,
                              const std::function<void(int, int)>& progress = {});

}  // namespace flowseg::review
