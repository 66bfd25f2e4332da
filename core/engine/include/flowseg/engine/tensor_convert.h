#pragma once
// Conversions between the plain containers of types.h and tensors.

#include <torch/types.h>
#include <vector>

#include "flowseg/engine/types.h"

namespace flowseg::engine {

/// [1, 1, H, W] float32 on the CPU.
torch::Tensor toTensor(const ImageF& image);
/// Masks -> [N, 1, H, W] float32 in {-1, +1}.
torch::Tensor masksToSigned(const std::vector<Mask>& masks);
/// [H, W] (any device, any float type) -> ImageF.
ImageF toImage(const torch::Tensor& plane);
/// [H, W] -> Mask, foreground where the value is > threshold.
Mask toMask(const torch::Tensor& plane, float threshold);

}  // namespace flowseg::engine
