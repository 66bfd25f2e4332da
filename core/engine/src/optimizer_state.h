#pragma once
// AdamW's moments by parameter name, as a checkpoint keeps them
// ("<param>/exp_avg", "<param>/exp_avg_sq"), and back into an optimizer, so a
// resumed run continues exactly as the uninterrupted one would have.
// Internal to the engine (torch).

#include <torch/torch.h>

#include <cstdint>

#include "flowseg/engine/checkpoint.h"

namespace flowseg::engine {

/// The moments of every parameter of `network` that `optimizer` has a state for.
[[nodiscard]] NamedTensors optimizerMoments(torch::optim::AdamW& optimizer,
                                            const torch::nn::Module& network);

/// Gives `optimizer` the moments in `moments` (parameters without any are left
/// fresh), each as after `step` steps.
void restoreOptimizerMoments(torch::optim::AdamW& optimizer, const torch::nn::Module& network,
                             const NamedTensors& moments, std::int64_t step);

}  // namespace flowseg::engine
