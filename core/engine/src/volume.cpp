#include "flowseg/engine/volume.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

std::optional<SliceName> parseSliceName(const std::string& caseId) {
    static const std::string marker = "_slice-";
    const auto at = caseId.rfind(marker);
    if (at == std::string::npos || at == 0) return std::nullopt;
    const char* first = caseId.data() + at + marker.size();
    const char* last = caseId.data() + caseId.size();
    int k = 0;
    const auto [end, error] = std::from_chars(first, last, k);
    if (error != std::errc() || end != last || first == last || k < 0) return std::nullopt;
    return SliceName{caseId.substr(0, at), k};
}

std::vector<NoduleCase> groupIntoNodules(std::vector<MultiRaterCase> cases) {
    std::vector<NoduleCase> nodules;
    std::map<std::string, size_t> position;
    for (auto& c : cases) {
        const auto name = parseSliceName(c.id);
        if (!name)
            throw InvalidInput("case '" + c.id +
                               "' is not named <patient>_<nodule>_slice-<k>, so its nodule "
                               "and slice are unknown (the shared LIDC crops are named so)");
        auto [it, added] = position.try_emplace(name->nodule, nodules.size());
        if (added) nodules.push_back({name->nodule, {}, {}});
        auto& nodule = nodules[it->second];
        nodule.sliceNumbers.push_back(name->slice);
        nodule.slices.push_back(std::move(c));
    }
    for (auto& nodule : nodules) {
        std::vector<size_t> order(nodule.slices.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            return nodule.sliceNumbers[a] < nodule.sliceNumbers[b];
        });
        NoduleCase sorted{nodule.id, {}, {}};
        for (const auto i : order) {
            sorted.slices.push_back(std::move(nodule.slices[i]));
            sorted.sliceNumbers.push_back(nodule.sliceNumbers[i]);
        }
        for (size_t i = 1; i < sorted.slices.size(); ++i) {
            if (sorted.sliceNumbers[i] != sorted.sliceNumbers[i - 1] + 1)
                throw InvalidInput("nodule '" + sorted.id + "' has slice " +
                                   std::to_string(sorted.sliceNumbers[i - 1]) + " and then " +
                                   std::to_string(sorted.sliceNumbers[i]) +
                                   ": its slices must be consecutive to be sampled as one volume");
            const auto& a = sorted.slices[i - 1];
            const auto& b = sorted.slices[i];
            if (a.experts.size() != b.experts.size())
                throw InvalidInput("nodule '" + sorted.id + "': '" + a.id + "' has " +
                                   std::to_string(a.experts.size()) + " readers but '" + b.id +
                                   "' has " + std::to_string(b.experts.size()));
            if (a.image.height != b.image.height || a.image.width != b.image.width)
                throw InvalidInput("nodule '" + sorted.id + "': '" + a.id + "' and '" + b.id +
                                   "' differ in size");
        }
        nodule = std::move(sorted);
    }
    return nodules;
}

std::optional<PriorSide> priorSideFromName(const std::string& name) {
    if (name == "either") return PriorSide::Either;
    if (name == "inward") return PriorSide::Inward;
    return std::nullopt;
}

std::string priorSideName(PriorSide side) {
    return side == PriorSide::Inward ? "inward" : "either";
}

std::vector<ImageF> volumeCondition(const std::vector<ImageF>& crops, int index, int behind,
                                    const Mask* prior) {
    const int n = static_cast<int>(crops.size());
    if (index < 0 || index >= n) throw InvalidInput("volumeCondition: slice index out of range");
    if (behind != -1 && behind != index - 1 && behind != index + 1)
        throw InvalidInput("volumeCondition: the sweep comes from a neighbouring slice or none");
    const auto& centre = crops[static_cast<size_t>(index)];
    const auto crop = [&](int i) -> const ImageF& {
        return i >= 0 && i < n ? crops[static_cast<size_t>(i)] : centre;
    };
    // At the key slice, "behind" and "ahead" are below and above.
    const int from = behind == -1 ? index - 1 : behind;
    const int to = 2 * index - from;
    std::vector<ImageF> planes{centre, crop(from), crop(to), ImageF(centre.height, centre.width),
                               ImageF(centre.height, centre.width)};
    if (behind != -1 && behind >= 0 && behind < n) {
        if (!prior || prior->height != centre.height || prior->width != centre.width)
            throw InvalidInput(
                "volumeCondition: the prior mask is missing or differs in size from the crop");
        for (size_t p = 0; p < prior->pixels.size(); ++p)
            planes[kVolumePriorMask].pixels[p] = prior->pixels[p] ? 1.0F : 0.0F;
        std::fill(planes[kVolumePriorPresent].pixels.begin(),
                  planes[kVolumePriorPresent].pixels.end(), 1.0F);
    }
    return planes;
}

}  // namespace flowseg::engine
