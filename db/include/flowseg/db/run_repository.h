#pragma once
// Sampling runs with their sample masks and uncertainty maps, and exported reports:
// every result shown or filed can be traced to a model, settings and a seed.

#include <map>
#include <optional>
#include <vector>

#include "flowseg/db/database.h"
#include "flowseg/db/records.h"

namespace flowseg::db {

struct SamplingOutputs {
    std::vector<common::Mask> samples;
    common::ImageF probability;
    common::ImageF variance;
    common::ImageF entropy;
};

class RunRepository {
public:
    explicit RunRepository(Database& db) : m_db(db) {}

    /// Stores the run and all its outputs in one transaction; returns the run id.
    /// `outputs` are the run's own slice's; a nodule run's other slices come in
    /// `otherSlices`, by slice.
    RowId saveRun(const SamplingRunRecord& run, const SamplingOutputs& outputs,
                  const std::map<int, SamplingOutputs>& otherSlices = {});
    [[nodiscard]] std::vector<SamplingRunRecord> runsOfLesion(RowId lesionId) const;
    /// The run's own slice's outputs.
    [[nodiscard]] SamplingOutputs outputsOf(RowId runId) const;
    /// A nodule run's outputs on its other slices, by slice (empty for a one-slice run).
    [[nodiscard]] std::map<int, SamplingOutputs> sliceOutputsOf(RowId runId) const;

    RowId addReport(const ReportRecord& report);
    [[nodiscard]] std::vector<ReportRecord> reportsOfLesion(RowId lesionId) const;

private:
    Database& m_db;
};

}  // namespace flowseg::db
