#pragma once
// splitmix64's finalizer: spreads a seed derived from counters over all 64 bits,
// so that nearby inputs (step 41 and 42, slice 1 and 2) give unrelated streams.
// Internal to the engine (the trainer's per-step seeds, the volume sampler's
// per-slice seeds).

#include <cstdint>

namespace flowseg::engine {

inline std::uint64_t splitmix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace flowseg::engine
