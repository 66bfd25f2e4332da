#pragma once
// Fitting a lesion crop to the model's side. Public multi-rater crops are 128x128;
// a model trained at 64 px sees them as `flowseg synth --size 64` draws its
// crops: the same 128-pixel field, box-averaged 2x2. Masks sampled at the model's
// side go back to the crop's side by pixel replication. Torch-free.

#include "flowseg/engine/types.h"

namespace flowseg::engine {

/// The integer k with crop side = k x model side (1 when equal). Throws
/// InvalidInput for a non-square crop or a side that is not such a multiple.
[[nodiscard]] int fitFactor(int width, int height, int modelSide);

/// Mean of each k x k block (k = 1 returns the image).
[[nodiscard]] ImageF boxDownsample(const ImageF& image, int k);

/// Each pixel repeated k x k (k = 1 returns the mask).
[[nodiscard]] Mask replicate(const Mask& mask, int k);

}  // namespace flowseg::engine
