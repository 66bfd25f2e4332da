#pragma once
// The training set's crops and reader masks as tensors. Internal.

#include <torch/torch.h>
#include <string>
#include <vector>

#include "flowseg/engine/types.h"

namespace flowseg::engine {

struct TrainingTensors {
    torch::Tensor images;        ///< [N, 1, S, S] in the model input convention, on `device`
    torch::Tensor experts;       ///< [N, Emax, 1, S, S] bool (foreground), on `device`
    torch::Tensor expertCounts;  ///< [N] int64 on the CPU
};

/// Checks every case against the network's side `side` (InvalidInput naming the
/// case otherwise) and lays the cases out as tensors.
TrainingTensors loadTrainingTensors(const std::vector<MultiRaterCase>& cases, int64_t side,
                                    const std::string& device);

/// One reader per example, drawn uniformly: floor(u * count) for examples `index`.
torch::Tensor drawExperts(const torch::Tensor& expertCounts, const torch::Tensor& index,
                          torch::Generator& generator);

}  // namespace flowseg::engine
