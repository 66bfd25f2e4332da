#include "flowseg/review/run_record.h"

#include "flowseg/db/model_repository.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"

namespace flowseg::review {

RunToStore runToStore(const engine::Model& model, int slice, const engine::SamplingOptions& options,
                      const engine::SamplingResult& result, const std::vector<SliceSamples>& slices,
                      bool coherent) {
    RunToStore out;
    out.model.path = model.source();
    out.model.sha256 = model.checksum();
    out.model.preset = model.provenance().preset.empty() ? "custom" : model.provenance().preset;
    out.run.slice = slice;
    out.run.solver = engine::solverName(options.solver);
    out.run.steps = options.steps;
    out.run.guidance = options.guidance;
    out.run.samples = options.samples;
    out.run.seed = static_cast<std::int64_t>(options.seed);
    out.run.durationSeconds = result.seconds;
    out.run.device = result.device;
    out.outputs = {result.masks, result.maps.probability, result.maps.variance,
                   result.maps.entropy};
    out.run.coherent = coherent && slices.size() > 1;
    out.run.chainsEnd = options.chainsEnd;
    for (const auto& s : slices)
        if (s.crop.slice != slice)
            out.otherSlices[s.crop.slice] = {s.result.masks, s.result.maps.probability,
                                             s.result.maps.variance, s.result.maps.entropy};
    return out;
}

db::RowId saveRun(db::Database& database, db::RowId lesionId, RunToStore run) {
    run.run.lesionId = lesionId;
    run.run.modelId = db::ModelRepository(database).registerModel(run.model);
    return db::RunRepository(database).saveRun(run.run, run.outputs, run.otherSlices);
}

}  // namespace flowseg::review
