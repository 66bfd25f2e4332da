#pragma once
// Dataset evaluation shared by `eval` and `bench`.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include <optional>
#include <string>

#include "flowseg/common/types.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"

namespace flowseg::cli {

struct EvalCase {
    common::MultiRaterCase data;
    std::optional<std::string> syntheticLesionJson;  ///< the true rater model, when known
};

/// Samples a crop whose side is the model's or a whole multiple k of it (a 128-px
/// public crop, a 64-px model): box-averaged k x k in, masks and uncertainty maps
/// replicated back to the crop's size. `fit` receives k when given.
engine::SamplingResult sampleCrop(const engine::Sampler& sampler, const common::ImageF& image,
                                  const engine::SamplingOptions& options,
                                  const engine::SamplingCallbacks& callbacks = {},
                                  int* fit = nullptr);

/// `count` synthetic cases of `size` pixels with `raters` raters (seed fixed), in memory.
std::vector<EvalCase> syntheticEvalCases(int count, int size, int raters, std::uint64_t seed);

/// Samples every case (seed + case index), computes the metrics of DESIGN.md and,
/// for synthetic cases, the oracle GED and the lesion's kind ("faint" or "solid").
/// Returns {"cases": [...], "mean": {...}, "by_lesion_kind": {kind: {means..., "cases": n}},
/// "by_experts_marking": {"k": {means..., "cases": n}}, "sampling": {...}}: "by_lesion_kind"
/// is empty when no case is synthetic; "by_experts_marking" groups the cases by how
/// many of their experts draw a non-empty mask (a one-reader slice should be marked
/// in about a quarter of the samples, a four-reader slice in nearly all).
nlohmann::json evaluateDataset(const std::shared_ptr<engine::Model>& model,
                               const std::vector<EvalCase>& cases,
                               const engine::SamplingOptions& options,
                               const std::function<void(int, int)>& progress = {});

/// The same untrained weights, noise and image on the CPU and on CUDA: how far
/// apart are the final states and the thresholded masks? {"available": false}
/// without CUDA.
nlohmann::json compareDevices(const engine::VelocityUNetOptions& options,
                              const engine::SamplingOptions& sampling);

}  // namespace flowseg::cli
