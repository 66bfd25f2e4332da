#pragma once
// Pixelwise uncertainty of a set of binary sample masks.

#include <vector>

#include "flowseg/engine/types.h"

namespace flowseg::engine {

struct UncertaintyMaps {
    ImageF probability;  ///< p = mean of the binary samples
    ImageF variance;     ///< p(1-p), the paper's map, in [0, 0.25]
    ImageF entropy;      ///< binary entropy of p in bits, in [0, 1]
};

/// Throws InvalidInput when `samples` is empty or the masks differ in size.
UncertaintyMaps uncertaintyMaps(const std::vector<Mask>& samples);

/// Throws InvalidInput unless every mask in `masks` is non-empty and has one shape.
void requireSameShape(const std::vector<Mask>& masks, const char* what);

}  // namespace flowseg::engine
