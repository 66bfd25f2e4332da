// Times one guided sampling evaluation (a batch of 2M = 30 images through the
// velocity network) in the variants docs/BENCHMARKS.md compares: the time given
// per image ([2M]) or once for the batch ([1], what the sampler does), and NCHW
// or channels-last tensors. Not built by default:
//
//   cmake --build build --target forward-variants
//   build/bin/forward-variants models/default.fsm [repeats]
//
// Prints the median milliseconds per evaluation of each variant, interleaved so
// that drift in machine load hits all of them alike.

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "flowseg/engine/model.h"
#include "flowseg/engine/model_impl.h"
#include "flowseg/engine/runtime.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: forward-variants MODEL.fsm [repeats]\n");
        return 2;
    }
    const int repeats = argc > 2 ? std::stoi(argv[2]) : 30;
    const int threads = flowseg::engine::configureThreads(0);
    const auto model = flowseg::engine::Model::load(argv[1], "cpu");
    auto net = model->impl().network;
    const int64_t side = model->options().image_size();
    const int64_t batch = 30;  // M = 15 samples x 2 guidance branches
    torch::NoGradGuard noGrad;
    torch::manual_seed(1);
    const auto x = torch::randn({batch, 1, side, side});
    const auto condition = torch::cat(
        {torch::rand({batch / 2, 1, side, side}), torch::zeros({batch / 2, 1, side, side})});
    const auto xLast = x.contiguous(torch::MemoryFormat::ChannelsLast);
    const auto conditionLast = condition.contiguous(torch::MemoryFormat::ChannelsLast);

    struct Variant {
        const char* name;
        bool sharedTime;
        bool channelsLast;
        std::vector<double> ms;
    };
    std::vector<Variant> variants{{"t per image [30], NCHW", false, false, {}},
                                  {"t once [1], NCHW (sampler)", true, false, {}},
                                  {"t once [1], channels-last", true, true, {}}};
    const auto run = [&](const Variant& v) {
        const auto t = torch::full({v.sharedTime ? 1 : batch}, 0.4);
        return net->forward(v.channelsLast ? xLast : x, v.channelsLast ? conditionLast : condition,
                            t);
    };
    for (const auto& v : variants) (void)run(v);  // warm-up
    for (int r = 0; r < repeats; ++r)
        for (auto& v : variants) {
            const auto start = std::chrono::steady_clock::now();
            (void)run(v);
            v.ms.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count());
        }
    std::printf("%s, %lld px, batch %lld, %d threads, BLAS %s, %d repeats\n", argv[1],
                static_cast<long long>(side), static_cast<long long>(batch), threads,
                flowseg::engine::blasLibrary().c_str(), repeats);
    for (auto& v : variants) {
        std::sort(v.ms.begin(), v.ms.end());
        std::printf("  %-30s median %8.2f ms  (min %.2f, max %.2f)\n", v.name,
                    v.ms[v.ms.size() / 2], v.ms.front(), v.ms.back());
    }
    return 0;
}
