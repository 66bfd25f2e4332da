#include "optimizer_state.h"

#include <sstream>
#include <type_traits>

namespace flowseg::engine {

namespace {

// The optimizer's state is keyed by the parameter's TensorImpl: as its printed
// address in LibTorch 1.x, as the pointer itself in 2.x. Build whichever this
// LibTorch uses.
template <typename Optimizer>
auto stateKey(const torch::Tensor& p) {
    using Key = typename std::decay_t<decltype(std::declval<Optimizer&>().state())>::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream address;
        address << p.unsafeGetTensorImpl();
        return address.str();
    } else {
        return static_cast<Key>(p.unsafeGetTensorImpl());
    }
}

}  // namespace

NamedTensors optimizerMoments(torch::optim::AdamW& optimizer, const torch::nn::Module& network) {
    NamedTensors moments;
    for (const auto& item : network.named_parameters(true)) {
        const auto it = optimizer.state().find(stateKey<torch::optim::AdamW>(item.value()));
        if (it == optimizer.state().end()) continue;
        const auto& state = static_cast<const torch::optim::AdamWParamState&>(*it->second);
        moments[item.key() + "/exp_avg"] = state.exp_avg().detach().to(torch::kCPU);
        moments[item.key() + "/exp_avg_sq"] = state.exp_avg_sq().detach().to(torch::kCPU);
    }
    return moments;
}

void restoreOptimizerMoments(torch::optim::AdamW& optimizer, const torch::nn::Module& network,
                             const NamedTensors& moments, std::int64_t step) {
    for (const auto& item : network.named_parameters(true)) {
        const auto avg = moments.find(item.key() + "/exp_avg");
        const auto sq = moments.find(item.key() + "/exp_avg_sq");
        if (avg == moments.end() || sq == moments.end()) continue;
        auto state = std::make_unique<torch::optim::AdamWParamState>();
        state->step(step);
        state->exp_avg(avg->second.to(item.value().device()));
        state->exp_avg_sq(sq->second.to(item.value().device()));
        optimizer.state()[stateKey<torch::optim::AdamW>(item.value())] = std::move(state);
    }
}

}  // namespace flowseg::engine
