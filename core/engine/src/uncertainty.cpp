#include "flowseg/engine/uncertainty.h"

#include <cmath>
#include <string>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

void requireSameShape(const std::vector<Mask>& masks, const char* what) {
    if (masks.empty()) throw InvalidInput(std::string("no ") + what + " given");
    for (const auto& m : masks) {
        if (!m.sameShape(masks.front())) throw InvalidInput(std::string(what) + " differ in size");
        if (m.pixels.size() != static_cast<size_t>(m.height) * m.width)
            throw InvalidInput(std::string(what) + ": malformed mask buffer");
    }
}

UncertaintyMaps uncertaintyMaps(const std::vector<Mask>& samples) {
    requireSameShape(samples, "samples");
    const int h = samples.front().height;
    const int w = samples.front().width;
    UncertaintyMaps maps{ImageF(h, w), ImageF(h, w), ImageF(h, w)};
    const float scale = 1.0F / static_cast<float>(samples.size());
    for (const auto& s : samples)
        for (size_t i = 0; i < s.pixels.size(); ++i)
            maps.probability.pixels[i] += s.pixels[i] != 0 ? scale : 0.0F;
    for (size_t i = 0; i < maps.probability.pixels.size(); ++i) {
        const float p = std::min(1.0F, maps.probability.pixels[i]);
        maps.probability.pixels[i] = p;
        maps.variance.pixels[i] = p * (1.0F - p);
        float entropy = 0;
        if (p > 0.0F && p < 1.0F) entropy = -(p * std::log2(p) + (1 - p) * std::log2(1 - p));
        maps.entropy.pixels[i] = entropy;
    }
    return maps;
}

}  // namespace flowseg::engine
