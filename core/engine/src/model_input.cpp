#include "flowseg/engine/model_input.h"

#include <algorithm>
#include <cmath>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

ImageF normalizeCrop(const ImageF& values) {
    if (values.empty()) throw InvalidInput("the crop is empty");
    for (const float v : values.pixels)
        if (!std::isfinite(v))
            throw InvalidInput("the crop holds a value that is not a finite number");
    const auto [lowest, highest] = std::minmax_element(values.pixels.begin(), values.pixels.end());
    const double low = *lowest;
    const double range = static_cast<double>(*highest) - low;
    ImageF out(values.height, values.width);
    if (range <= 0) return out;
    for (size_t i = 0; i < values.pixels.size(); ++i) {
        const double level = std::round((values.pixels[i] - low) / range * kModelInputLevels);
        out.pixels[i] = static_cast<float>(level) / static_cast<float>(kModelInputLevels);
    }
    return out;
}

}  // namespace flowseg::engine
