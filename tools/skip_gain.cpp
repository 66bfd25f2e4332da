// Prints the per-pixel skip gain a(t) of a widened network (velocity += a(t)·x_t,
// docs/ENGINE.md "Widening a network to larger crops") on a grid of t, beside
// -1/(1-t), the coefficient of x_t in the velocity of a pixel whose final value
// is already certain (v = (x1 - x_t) / (1 - t)). Not built by default:
//
//   cmake --build build --target skip-gain
//   build/bin/skip-gain model128.fsm
//
// a(t) is read as the difference between the network's velocity with and without
// its skip weights, divided by x_t (exact: the skip is the only term it changes).

#include <torch/torch.h>

#include <cstdio>

#include "flowseg/engine/model.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/runtime.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: skip-gain MODEL.fsm\n");
        return 2;
    }
    flowseg::engine::configureThreads(0);
    const auto model = flowseg::engine::Model::load(argv[1], "cpu");
    if (!model->options().pixel_skip()) {
        std::fprintf(stderr, "%s has no per-pixel skip (not a widened network)\n", argv[1]);
        return 1;
    }
    auto net = model->impl().network;
    torch::Tensor weight, bias;
    for (auto& p : net->named_parameters()) {
        if (p.key() == "pixel_skip.weight") weight = p.value();
        if (p.key() == "pixel_skip.bias") bias = p.value();
    }
    const int64_t side = model->options().image_size();
    torch::NoGradGuard noGrad;
    torch::manual_seed(1);
    const auto x = torch::randn({1, 1, side, side});
    const auto condition = torch::rand({1, 1, side, side});
    const auto savedWeight = weight.clone();
    const auto savedBias = bias.clone();
    std::printf("%s: per-pixel skip gain a(t)\n", argv[1]);
    for (const double t :
         {0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.8125, 0.875, 0.9375, 0.97}) {
        const auto time = torch::full({1}, t);
        const auto with = net->forward(x, condition, time);
        weight.zero_();
        bias.zero_();
        const auto without = net->forward(x, condition, time);
        weight.copy_(savedWeight);
        bias.copy_(savedBias);
        std::printf("  t %.4f  a(t) %+8.3f   -1/(1-t) %+8.3f\n", t,
                    ((with - without) / x).mean().item<double>(), -1.0 / (1.0 - t));
    }
    return 0;
}
