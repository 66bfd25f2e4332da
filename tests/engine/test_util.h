#pragma once
// Helpers for engine tests: tiny networks with non-trivial outputs.

#include <torch/torch.h>
#include <memory>

#include "flowseg/engine/model.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/network_options.h"

namespace flowseg::test {

/// A tiny untrained network on the CPU whose zero-initialized output layers are
/// perturbed enough that it produces a non-constant velocity field.
inline std::shared_ptr<engine::Model> tinyModel(std::uint64_t seed = 3, int side = 16) {
    auto options = engine::VelocityUNetOptions::preset("tiny").image_size(side);
    auto model = engine::Model::untrained(options, "cpu", seed);
    torch::NoGradGuard noGrad;
    torch::manual_seed(seed);
    for (auto& p : model->impl().network->parameters()) p.add_(torch::randn_like(p) * 0.1);
    return model;
}

}  // namespace flowseg::test
