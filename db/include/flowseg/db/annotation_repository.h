#pragma once
// Expert annotations: every save adds a version; nothing is overwritten.

#include <optional>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"

namespace flowseg::db {

class AnnotationRepository {
public:
    explicit AnnotationRepository(Database& db) : m_db(db) {}

    /// Stores `mask` as the next version of (lesion, expert, slice) in one
    /// transaction and returns it. When this returns, the save is durable.
    AnnotationVersionRecord save(RowId lesionId, RowId expertId, int slice,
                                 const common::Mask& mask,
                                 AnnotationSource source = AnnotationSource::Manual,
                                 const std::string& note = "");

    /// The newest version of each (expert, slice) of a lesion.
    [[nodiscard]] std::vector<AnnotationVersionRecord> latestForLesion(RowId lesionId) const;
    /// Every version of one expert's annotation of one slice, oldest first.
    [[nodiscard]] std::vector<AnnotationVersionRecord> history(RowId lesionId, RowId expertId,
                                                               int slice) const;
    [[nodiscard]] std::optional<AnnotationVersionRecord> findVersion(RowId versionId) const;
    /// All ids of stored versions (for audits and the crash test).
    [[nodiscard]] std::vector<RowId> allVersionIds() const;

private:
    Database& m_db;
};

}  // namespace flowseg::db
