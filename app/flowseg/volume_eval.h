#pragma once
// Whole-nodule evaluation (`flowseg eval --volumes`, `bench` on nodules): each
// nodule sampled coherently from its middle slice, scored over its 3-D masks.

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/volume.h"

namespace flowseg::cli {

/// The nodules in a fixed random-looking order: FNV-1a of their names, which
/// keeps one patient's nodules next to each other (their names differ in the
/// last characters), so the first N of a part are whole patients (the first 30
/// of the val part: all nodules of 11 patients).
void orderNodulesForSubsets(std::vector<engine::NoduleCase>& nodules);

/// Samples every nodule (seed + nodule index) from its middle slice and returns
/// {"nodules": [...], "mean": {volume_ged, volume_single_mask_ged, volume_empty_ged,
/// volume_hm_iou, volume_dice, volume_coverage, sample_volume, expert_volume, ged,
/// single_mask_ged, slices, seconds_per_nodule, network_passes_per_nodule},
/// "by_experts_marking": {"k": {slices, sample_marking_fraction, expert_marking_fraction}},
/// "sampling": {...}, "coherent": bool}. Volumes are in voxels (folder crops carry no spacing).
nlohmann::json evaluateNodules(const std::shared_ptr<engine::Model>& model,
                               const std::vector<engine::NoduleCase>& nodules,
                               const engine::SamplingOptions& options,
                               const std::function<void(int, int)>& progress = {});

}  // namespace flowseg::cli
