#pragma once
// Samples a whole nodule: M chains, each one plausible outline through every
// slice of the stack. Torch-free header.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "flowseg/engine/sampler.h"

namespace flowseg::engine {

struct VolumeSamplingResult {
    /// One result per slice of the stack (masks, soft masks, uncertainty maps);
    /// sample k of every slice belongs to chain k.
    std::vector<SamplingResult> slices;
    int keySlice = 0;
    /// Slices the growth added below the first crop given and above the last.
    int addedBelow = 0;
    int addedAbove = 0;
    bool coherent = false;           ///< false for a slice model: each slice sampled on its own
    std::int64_t networkPasses = 0;  ///< over all slices
    double seconds = 0;

    /// Sample k's mask on every slice, bottom to top.
    [[nodiscard]] std::vector<Mask> chain(int k) const;
    /// All M chains: [sample][slice].
    [[nodiscard]] std::vector<std::vector<Mask>> chains() const;
};

/// The noise seed of the slice `offset` slices from the key slice in a run seeded
/// `seed`: the key slice uses `seed` itself (its samples equal a one-slice run's
/// with the same condition), the others a reproducible mix.
[[nodiscard]] std::uint64_t volumeSliceSeed(std::uint64_t seed, int offset);

/// SamplingOptions::chainsEnd, minSliceArea and connectReach on the masks of a
/// slice the sweep reached from a slice whose masks are `prior` (sample k from
/// sample k); the uncertainty maps follow the masks. Nothing when all are off.
void applyVolumeEndRules(SamplingResult& slice, const std::vector<Mask>& prior,
                         const SamplingOptions& options);

/// Growing the stack while a sample continues past its end (the window: a nodule
/// may run on beyond the slices its readers outlined, or than the one slice a box
/// was drawn on). After the sweep has sampled the stack's last slice in its
/// direction and any sample marks something there, `next` is asked for the
/// crop of the slice beyond (side -1 below, +1 above); the sweep goes on there,
/// until no sample marks anything, `next` has none (the series ends), or the
/// stack holds `maxSlices`.
struct VolumeGrowth {
    int maxSlices = 0;  ///< at most this many slices in all; no growth at or below the given stack
    std::function<std::optional<ImageF>(int side)> next;
};

class VolumeSampler {
public:
    explicit VolumeSampler(std::shared_ptr<const Model> model);

    /// `crops`: the nodule's aligned crops in slice order, in any grey scale (each
    /// goes through normalizeCrop). A volume model samples `keySlice` first (no
    /// prior mask) and then sweeps up and down: slice j's sample k is conditioned
    /// on sample k's mask on the slice it was reached from. A slice model samples
    /// each slice on its own (the chains are then not coherent). Progress counts
    /// ODE steps over all slices; the trajectory callback sees the key slice only.
    /// Throws InvalidInput for an empty stack, a bad key slice or crop; Cancelled.
    [[nodiscard]] VolumeSamplingResult sample(const std::vector<ImageF>& crops, int keySlice,
                                              const SamplingOptions& options,
                                              const SamplingCallbacks& callbacks = {},
                                              const VolumeGrowth& growth = {}) const;

private:
    std::shared_ptr<const Model> m_model;
    Sampler m_sampler;
};

}  // namespace flowseg::engine
