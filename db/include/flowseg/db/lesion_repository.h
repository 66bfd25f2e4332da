#pragma once
// Lesions (a region of interest on a series) and their review state; experts.

#include <optional>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"

namespace flowseg::db {

class LesionRepository {
public:
    explicit LesionRepository(Database& db) : m_db(db) {}

    /// Returns the new lesion's id. Throws DatabaseError(Constraint) for an empty
    /// box, a reversed slice range or an unknown series.
    RowId create(const LesionRecord& lesion);
    [[nodiscard]] std::optional<LesionRecord> find(RowId id) const;
    [[nodiscard]] std::vector<LesionRecord> ofSeries(RowId seriesId) const;
    void setReviewState(RowId id, ReviewState state);
    /// Grows the lesion's slice range to take in `slice` (an outline drawn beyond it).
    void extendToSlice(RowId id, int slice);

    /// One expert's own review state of a lesion (NotStarted until set).
    void setExpertState(RowId lesionId, RowId expertId, ReviewState state);
    [[nodiscard]] ReviewState expertState(RowId lesionId, RowId expertId) const;

    /// Saves agreement metrics (JSON) computed for a lesion, optionally for a run.
    RowId saveAgreement(RowId lesionId, std::optional<RowId> runId, const std::string& metricsJson);
    /// The newest saved agreement of a lesion: its JSON, or nullopt.
    [[nodiscard]] std::optional<std::string> latestAgreement(RowId lesionId) const;

private:
    Database& m_db;
};

class ExpertRepository {
public:
    explicit ExpertRepository(Database& db) : m_db(db) {}

    /// The expert with this name, created on first use.
    ExpertRecord findOrCreate(const std::string& name, const std::string& role = "radiologist");
    [[nodiscard]] std::vector<ExpertRecord> all() const;

private:
    Database& m_db;
};

}  // namespace flowseg::db
