#include "volume_batch.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "flowseg/engine/volume.h"

namespace flowseg::engine {

VolumeStacks flattenNodules(std::vector<NoduleCase> nodules, std::vector<MultiRaterCase>& cases) {
    std::vector<int64_t> below;
    std::vector<int64_t> above;
    std::vector<int64_t> inward;
    for (auto& nodule : nodules) {
        const auto first = static_cast<int64_t>(cases.size());
        const auto n = static_cast<int64_t>(nodule.slices.size());
        const auto middle = static_cast<int64_t>(nodule.middle());
        for (int64_t i = 0; i < n; ++i) {
            below.push_back(i > 0 ? first + i - 1 : -1);
            above.push_back(i + 1 < n ? first + i + 1 : -1);
            inward.push_back(i < middle ? first + i + 1 : i > middle ? first + i - 1 : -1);
            cases.push_back(std::move(nodule.slices[static_cast<size_t>(i)]));
        }
    }
    return {torch::tensor(below, torch::kInt64), torch::tensor(above, torch::kInt64),
            torch::tensor(inward, torch::kInt64)};
}

VolumeStacks stacksByName(const std::vector<MultiRaterCase>& cases) {
    std::map<std::pair<std::string, int>, int64_t> where;
    std::map<std::string, std::vector<int>> numbers;  // each nodule's k, in order
    for (size_t i = 0; i < cases.size(); ++i)
        if (const auto name = parseSliceName(cases[i].id)) {
            where.emplace(std::make_pair(name->nodule, name->slice), static_cast<int64_t>(i));
            numbers[name->nodule].push_back(name->slice);
        }
    std::map<std::string, int> middle;  // the k of the nodule's middle slice, as groupIntoNodules
    for (auto& [nodule, ks] : numbers) {
        std::sort(ks.begin(), ks.end());
        middle[nodule] = ks[ks.size() / 2];
    }
    std::vector<int64_t> below(cases.size(), -1);
    std::vector<int64_t> above(cases.size(), -1);
    std::vector<int64_t> inward(cases.size(), -1);
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto name = parseSliceName(cases[i].id);
        if (!name) continue;
        const auto neighbour = [&](int k) -> int64_t {
            const auto found = where.find({name->nodule, k});
            if (found == where.end()) return -1;
            const auto& other = cases[static_cast<size_t>(found->second)];
            return other.experts.size() == cases[i].experts.size() ? found->second : -1;
        };
        below[i] = neighbour(name->slice - 1);
        above[i] = neighbour(name->slice + 1);
        const int k = middle.at(name->nodule);
        inward[i] = name->slice < k ? above[i] : name->slice > k ? below[i] : -1;
    }
    return {torch::tensor(below, torch::kInt64), torch::tensor(above, torch::kInt64),
            torch::tensor(inward, torch::kInt64)};
}

torch::Tensor volumeConditionBatch(const torch::Tensor& images, const torch::Tensor& experts,
                                   const VolumeStacks& stacks, const torch::Tensor& index,
                                   const torch::Tensor& expert, PriorSide side, double priorDropout,
                                   double neighbourDropout, torch::Generator& generator) {
    const auto b = index.size(0);
    const auto below = stacks.below.index_select(0, index);
    const auto above = stacks.above.index_select(0, index);
    const auto fromAbove = torch::rand({b}, generator) < 0.5;
    auto behind = torch::where(fromAbove, above, below);
    auto ahead = torch::where(fromAbove, below, above);
    auto hasPrior = behind >= 0;
    if (side == PriorSide::Inward) {
        // The sweep's own direction; a key slice's crops are below and above at random.
        const auto inward = stacks.inward.index_select(0, index);
        hasPrior = inward >= 0;
        const auto inwardIsAbove = hasPrior & (inward == above);
        behind = torch::where(hasPrior, inward, behind);
        ahead = torch::where(hasPrior, torch::where(inwardIsAbove, below, above), ahead);
    }
    const auto present = hasPrior & (torch::rand({b}, generator) >= priorDropout);
    const auto behindCrop = torch::where(
        (behind < 0) | (torch::rand({b}, generator) < neighbourDropout), index, behind);
    const auto aheadCrop =
        torch::where((ahead < 0) | (torch::rand({b}, generator) < neighbourDropout), index, ahead);

    const auto device = images.device();
    const auto crops = [&](const torch::Tensor& i) { return images.index_select(0, i.to(device)); };
    const auto presentPlane = present.to(torch::kFloat32).view({-1, 1, 1, 1}).to(device);
    const auto prior =
        experts.index({behind.clamp_min(0).to(device), expert.to(device)}).to(torch::kFloat32) *
        presentPlane;
    std::vector<torch::Tensor> planes(kVolumeChannels);
    planes[kVolumeSlice] = crops(index);
    planes[kVolumeBehind] = crops(behindCrop);
    planes[kVolumeAhead] = crops(aheadCrop);
    planes[kVolumePriorMask] = prior;
    planes[kVolumePriorPresent] = presentPlane.expand_as(prior);
    return torch::cat(planes, 1);
}

}  // namespace flowseg::engine
