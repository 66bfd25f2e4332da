#include "training_data.h"

#include "flowseg/engine/error.h"
#include "flowseg/engine/model_input.h"
#include "flowseg/engine/tensor_convert.h"

namespace flowseg::engine {

TrainingTensors loadTrainingTensors(const std::vector<MultiRaterCase>& cases, int64_t side,
                                    const std::string& device) {
    if (cases.empty()) throw InvalidInput("the training set is empty");
    size_t maxExperts = 0;
    for (const auto& c : cases) {
        if (c.image.height != side || c.image.width != side)
            throw InvalidInput("case '" + c.id + "' is " + std::to_string(c.image.width) + "x" +
                               std::to_string(c.image.height) + " but the network expects " +
                               std::to_string(side) + "x" + std::to_string(side));
        if (c.experts.empty()) throw InvalidInput("case '" + c.id + "' has no expert mask");
        for (const auto& e : c.experts)
            if (e.height != side || e.width != side)
                throw InvalidInput("case '" + c.id +
                                   "': an expert mask differs in size from its image");
        maxExperts = std::max(maxExperts, c.experts.size());
    }
    const auto n = static_cast<int64_t>(cases.size());
    TrainingTensors t;
    t.images = torch::empty({n, 1, side, side});
    t.experts = torch::zeros({n, static_cast<int64_t>(maxExperts), 1, side, side}, torch::kBool);
    t.expertCounts = torch::empty({n}, torch::kInt64);
    for (int64_t i = 0; i < n; ++i) {
        const auto& c = cases[static_cast<size_t>(i)];
        t.images[i] = toTensor(normalizeCrop(c.image))[0];  // the sampler's input convention
        t.experts[i].narrow(0, 0, static_cast<int64_t>(c.experts.size())) =
            masksToSigned(c.experts) > 0;
        t.expertCounts[i] = static_cast<int64_t>(c.experts.size());
    }
    t.images = t.images.to(device);
    t.experts = t.experts.to(device);
    return t;
}

torch::Tensor drawExperts(const torch::Tensor& expertCounts, const torch::Tensor& index,
                          torch::Generator& generator) {
    const auto counts = expertCounts.index_select(0, index).to(torch::kFloat64);
    return (torch::rand({index.size(0)}, generator, torch::kFloat64) * counts)
        .floor()
        .clamp_max(counts - 1)
        .to(torch::kInt64);
}

}  // namespace flowseg::engine
