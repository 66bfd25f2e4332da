#pragma once
// DESIGN.md's metrics over whole nodules: a sample or an expert is one 3-D mask
// over the nodule's slices, and d = 1 - IoU is taken over its voxels. Torch-free.

#include <optional>
#include <vector>

#include "flowseg/engine/metrics.h"
#include "flowseg/engine/types.h"

namespace flowseg::engine {

/// A 3-D mask, one 2-D mask per slice, every slice the same size.
using VolumeMask = std::vector<Mask>;

/// The slices of a 3-D mask stacked into one tall 2-D mask: IoU, Dice, majority
/// and every set metric of the stacked masks are those of the volumes.
/// Throws InvalidInput for an empty volume or slices of different sizes.
[[nodiscard]] Mask stackSlices(const VolumeMask& slices);
/// Foreground voxels.
[[nodiscard]] long voxelCount(const VolumeMask& volume);
/// The volume in mm^3: voxels x row spacing x column spacing x slice spacing (the
/// distance between slice centres, not the slice thickness; DESIGN.md "Volumes").
[[nodiscard]] double volumeInCubicMm(const VolumeMask& volume, double rowSpacing,
                                     double columnSpacing, double sliceSpacing);
/// The q-quantile (0..1) of `values` with linear interpolation between order statistics.
[[nodiscard]] double quantile(std::vector<double> values, double q);

struct NoduleMetrics {
    /// Over the 3-D masks: ged = volume GED, singleMaskGed = the experts' voxel-wise
    /// majority (more than half of them: 3 of 4) repeated M times.
    CaseMetrics volume;
    double emptyGed =
        0;  ///< M empty volumes against the experts (a reference: the answer "nothing")
    CaseMetrics middle;  ///< the same metrics on the middle slice alone
    std::vector<long> sampleVoxels;
    std::vector<long> expertVoxels;
    /// Share of the experts' volumes inside the samples' 5-95 % volume range.
    double coverage = 0;
};

/// samples: [M][slice], experts: [E][slice], every volume with the same slices.
/// `middle` indexes the slice for the middle-slice metrics. Throws InvalidInput
/// for empty sets or volumes of different slice counts.
[[nodiscard]] NoduleMetrics evaluateNodule(const std::vector<VolumeMask>& samples,
                                           const std::vector<VolumeMask>& experts, int middle);

}  // namespace flowseg::engine
