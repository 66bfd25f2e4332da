#pragma once
// Training examples of the volume model (volume.h), drawn as one batch. Internal.

#include <torch/torch.h>
#include <vector>

#include "flowseg/engine/volume.h"

namespace flowseg::engine {

/// A training set of nodule slices laid out for the volume model.
struct VolumeStacks {
    torch::Tensor
        below;  ///< [N] int64 on the CPU: the index of the slice below, -1 at a stack's end
    torch::Tensor above;  ///< [N] int64 on the CPU: the slice above, -1 at a stack's end
    /// [N] int64 on the CPU: the neighbour toward the stack's middle slice (n / 2),
    /// -1 for the middle slice itself (and where that neighbour is missing)
    torch::Tensor inward;
};

/// The nodules' slices one after another into `cases`, with each slice's
/// neighbours within its nodule.
VolumeStacks flattenNodules(std::vector<NoduleCase> nodules, std::vector<MultiRaterCase>& cases);

/// The neighbours of cases given in any order, from their names
/// (`<nodule>_slice-<k>`): slice k±1 of the same nodule with as many readers,
/// where there is one; a case without such a name stands alone (a key slice).
VolumeStacks stacksByName(const std::vector<MultiRaterCase>& cases);

/// X for examples `index` ([B] int64, CPU) with the masks of readers `expert`
/// ([B] int64, CPU): each example comes from below or above at random
/// (PriorSide::Either) or from the neighbour toward the middle (Inward, where
/// the middle slice is always a key slice); with probability `priorDropout`, or
/// where there is no slice behind it, it is a key slice (no prior mask); each neighbouring crop is
/// replaced by the slice itself with probability `neighbourDropout`, and always where the stack
/// ends. `images` [N, 1, S, S], `experts` [N, E, 1, S, S] bool. Returns [B, 5, S, S].
torch::Tensor volumeConditionBatch(const torch::Tensor& images, const torch::Tensor& experts,
                                   const VolumeStacks& stacks, const torch::Tensor& index,
                                   const torch::Tensor& expert, PriorSide side, double priorDropout,
                                   double neighbourDropout, torch::Generator& generator);

}  // namespace flowseg::engine
