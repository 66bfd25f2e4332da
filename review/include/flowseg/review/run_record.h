#pragma once
// A finished sampling run as the store keeps it, built in one place for the
// window's session and the command line: the model by its checksum, the
// settings and seed, the slice, the time and device, and the outputs.

#include "flowseg/db/records.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/review/nodule_sampling.h"

namespace flowseg::engine {
class Model;
}

namespace flowseg::review {

struct RunToStore {
    db::ModelRecord model;
    db::SamplingRunRecord run;                       ///< lesionId and modelId are filled by saveRun
    db::SamplingOutputs outputs;                     ///< on the run's own slice
    std::map<int, db::SamplingOutputs> otherSlices;  ///< a nodule run's other slices
};

/// The store's record of `result`, sampled by `model` with `options` on `slice`;
/// a nodule run's every slice in `slices` (the run's own slice among them).
[[nodiscard]] RunToStore runToStore(const engine::Model& model, int slice,
                                    const engine::SamplingOptions& options,
                                    const engine::SamplingResult& result,
                                    const std::vector<SliceSamples>& slices = {},
                                    bool coherent = false);

/// Registers the run's model (by checksum, once) and saves the run of `lesionId`
/// with its outputs. Returns the run's id.
db::RowId saveRun(db::Database& database, db::RowId lesionId, RunToStore run);

}  // namespace flowseg::review
