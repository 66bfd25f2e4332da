#include "flowseg/engine/tensor_convert.h"

#include <torch/torch.h>
#include <cstring>

namespace flowseg::engine {

torch::Tensor toTensor(const ImageF& image) {
    auto t = torch::empty({1, 1, image.height, image.width}, torch::kFloat32);
    std::memcpy(t.data_ptr<float>(), image.pixels.data(), image.pixels.size() * sizeof(float));
    return t;
}

torch::Tensor masksToSigned(const std::vector<Mask>& masks) {
    const auto h = masks.empty() ? 0 : masks.front().height;
    const auto w = masks.empty() ? 0 : masks.front().width;
    auto t = torch::empty({static_cast<int64_t>(masks.size()), 1, h, w}, torch::kFloat32);
    auto* out = t.data_ptr<float>();
    for (const auto& m : masks)
        for (auto v : m.pixels) *out++ = v != 0 ? 1.0F : -1.0F;
    return t;
}

ImageF toImage(const torch::Tensor& plane) {
    const auto cpu = plane.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    ImageF image(static_cast<int>(cpu.size(0)), static_cast<int>(cpu.size(1)));
    std::memcpy(image.pixels.data(), cpu.data_ptr<float>(), image.pixels.size() * sizeof(float));
    return image;
}

Mask toMask(const torch::Tensor& plane, float threshold) {
    const auto cpu = (plane.detach().to(torch::kCPU, torch::kFloat32) > threshold)
                         .to(torch::kUInt8)
                         .contiguous();
    Mask mask(static_cast<int>(cpu.size(0)), static_cast<int>(cpu.size(1)));
    std::memcpy(mask.pixels.data(), cpu.data_ptr<std::uint8_t>(), mask.pixels.size());
    return mask;
}

}  // namespace flowseg::engine
