#pragma once
// Where a stored series' images are on this workstation. The store refers to
// images by their DICOM UIDs (study, series, SOP instance); the file paths it
// holds are those of the workstation that registered them. A workstation of a
// department store resolves a series, in this order, from: the stored paths
// (when they are here), its PACS cache, the folders it searches (its own
// caches, a shared folder: FLOWSEG_DICOM_PATH or the window's settings), and
// the PACS (retrieved into the cache). Plain C++; the PACS retrieval is the
// caller's (it knows the node).

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"

namespace flowseg::review {

struct SeriesSources {
    std::vector<std::string> folders;  ///< searched by UID (recursively)
    std::string pacsCache;             ///< dicom::PacsCache root; "" = none
    /// Retrieves (studyUid, seriesUid) from the PACS and returns the folder that
    /// holds it; throws when it cannot. Empty: no PACS.
    std::function<std::string(const std::string& studyUid, const std::string& seriesUid)> retrieve;
    /// Told what is looked at next ("the PACS cache", "the folder /x", "the PACS").
    std::function<void(const std::string& where)> progress;

    /// The folders of FLOWSEG_DICOM_PATH (':'-separated) and the default PACS
    /// cache; no PACS retrieval.
    static SeriesSources fromEnvironment();
};

struct LocatedSeries {
    std::vector<std::string> files;
    std::string
        from;  ///< in words: "its stored paths", "the PACS cache", "the folder …", "the PACS"
};

/// Not found anywhere; the message names the series, where it looked and the fix.
class SeriesNotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The files of stored series `seriesId` on this workstation. Throws
/// SeriesNotFound, or db::DatabaseError when the store cannot be read.
LocatedSeries locateSeries(db::Database& reader, db::RowId seriesId, const SeriesSources& sources);

}  // namespace flowseg::review
