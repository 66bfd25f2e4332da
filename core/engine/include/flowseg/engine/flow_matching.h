#pragma once
// Conditional flow matching on the straight path from noise to an expert's mask.

#include <torch/types.h>

#include "flowseg/engine/velocity_unet.h"

namespace flowseg::engine {

/// x_t = t S + (1 - t) x0
torch::Tensor interpolatePath(const torch::Tensor& mask, const torch::Tensor& noise,
                              const torch::Tensor& t);
/// u = S - x0, the path's constant velocity.
torch::Tensor targetVelocity(const torch::Tensor& mask, const torch::Tensor& noise);

struct FlowMatchingBatch {
    torch::Tensor images;  ///< X: [B, C, H, W] in [0, 1]
    torch::Tensor masks;   ///< S_e: [B, 1, H, W] in {-1, +1}, one expert per example
};

/// MSE(u_theta(t, x_t, X'), S - x0) with t ~ U(0,1), x0 ~ N(0, I), and X' = 0 for a
/// per-example Bernoulli(conditionDropout) subset (the unconditional branch).
torch::Tensor flowMatchingLoss(VelocityUNet network, const FlowMatchingBatch& batch,
                               double conditionDropout, torch::Generator generator);

}  // namespace flowseg::engine
