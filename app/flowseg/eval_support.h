#pragma once
// Dataset evaluation shared by `eval` and `bench`.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/imaging/folder_dataset.h"

namespace flowseg::cli {

/// Samples every case (seed + case index), computes the metrics of DESIGN.md and,
/// for synthetic cases, the oracle GED. Returns {"cases": [...], "mean": {...}}.
nlohmann::json evaluateDataset(const std::shared_ptr<engine::Model>& model,
                               const std::vector<imaging::FolderCase>& cases,
                               const engine::SamplingOptions& options,
                               const std::function<void(int, int)>& progress = {});

}  // namespace flowseg::cli
