#include "flowseg/engine/flow_matching.h"

#include <torch/torch.h>

namespace flowseg::engine {

namespace {
torch::Tensor broadcastTime(const torch::Tensor& t) { return t.view({-1, 1, 1, 1}); }
}  // namespace

torch::Tensor interpolatePath(const torch::Tensor& mask, const torch::Tensor& noise,
                              const torch::Tensor& t) {
    const auto tt = broadcastTime(t);
    return tt * mask + (1 - tt) * noise;
}

torch::Tensor targetVelocity(const torch::Tensor& mask, const torch::Tensor& noise) {
    return mask - noise;
}

torch::Tensor flowMatchingLoss(VelocityUNet network, const FlowMatchingBatch& batch,
                               double conditionDropout, torch::Generator generator) {
    const auto b = batch.masks.size(0);
    // Random numbers come from a CPU generator so that a seed gives the same run on
    // any device; they are tiny next to the network's work.
    const auto cpu = torch::TensorOptions().dtype(torch::kFloat32);
    const auto device = batch.masks.device();
    const auto noise = torch::randn(batch.masks.sizes(), generator, cpu).to(device);
    const auto t = torch::rand({b}, generator, cpu).to(device);
    const auto keep = (torch::rand({b}, generator, cpu) >= conditionDropout)
                          .to(torch::kFloat32)
                          .view({-1, 1, 1, 1})
                          .to(device);
    const auto xt = interpolatePath(batch.masks, noise, t);
    const auto prediction = network->forward(xt, batch.images * keep, t);
    return torch::mse_loss(prediction, targetVelocity(batch.masks, noise));
}

}  // namespace flowseg::engine
