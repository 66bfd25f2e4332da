#pragma once
// The model's input convention (DESIGN.md "Data formats"), in one function that
// the review window's crop, `flowseg sample`, `eval`, `train` and the sampler all
// go through. Measured on the real LIDC training crops: a crop at the CT's native
// pixel spacing, centred on the lesion, whose grey values are its own Hounsfield
// units scaled min -> 0, max -> 1 (no window, no clipping), stored in 8 bits.
// Torch-free.

#include "flowseg/engine/types.h"

namespace flowseg::engine {

/// Grey levels of the convention: the training crops are 8-bit PNGs.
inline constexpr int kModelInputLevels = 255;

/// `values` (HU, or grey values in any unit) scaled by their own minimum and
/// maximum to [0, 1] and rounded to 1/255 steps, as the training crops were made.
/// A flat crop (max = min) becomes all zeros. Idempotent: a crop already in the
/// convention (an 8-bit training PNG read as value / 255, min 0, max 255) comes
/// back unchanged. Throws InvalidInput for an empty image or a non-finite value.
[[nodiscard]] ImageF normalizeCrop(const ImageF& values);

}  // namespace flowseg::engine
