#pragma once
// Studies, series and image references (SOP UIDs; pixels stay in the DICOM files).

#include <optional>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"

namespace flowseg::db {

class StudyRepository {
public:
    explicit StudyRepository(Database& db) : m_db(db) {}

    /// Inserts or updates by Study Instance UID; returns the row id.
    RowId upsertStudy(const StudyRecord& study);
    /// Inserts or updates by Series Instance UID; returns the row id.
    RowId upsertSeries(const SeriesRecord& series);
    /// Inserts or updates by SOP Instance UID; returns the row id.
    RowId upsertImage(const ImageRefRecord& image);

    [[nodiscard]] std::vector<StudyRecord> studies() const;
    [[nodiscard]] std::vector<SeriesRecord> seriesOf(RowId studyId) const;
    [[nodiscard]] std::vector<ImageRefRecord> imagesOf(RowId seriesId) const;
    [[nodiscard]] std::optional<SeriesRecord> seriesByUid(const std::string& seriesUid) const;
    [[nodiscard]] std::optional<SeriesRecord> findSeries(RowId seriesId) const;
    [[nodiscard]] std::optional<StudyRecord> findStudy(RowId studyId) const;

private:
    Database& m_db;
};

}  // namespace flowseg::db
