#pragma once
// A nodule as a stack of aligned crops, and the input convention of the volume
// model (network input "volume"). Torch-free.
//
// The shared LIDC crops of one nodule are one 128 x 128 window on consecutive CT
// slices (tools/check-lidc-stacks.py), and mask_k is the same reader on every
// slice of a nodule. The volume model samples a nodule slice by slice, outward
// from a key slice: each slice is conditioned on its own crop, its two
// neighbouring crops, and the SAME sample's mask on the neighbour it was reached
// from, so sample k is one chain through every slice.

#include <optional>
#include <string>
#include <vector>

#include "flowseg/engine/types.h"

namespace flowseg::engine {

/// Channels of the volume model's condition X, in this order.
enum VolumeChannel : int {
    kVolumeSlice = 0,         ///< the crop being sampled (as a slice model's X)
    kVolumeBehind = 1,        ///< the neighbouring crop the sweep comes from
    kVolumeAhead = 2,         ///< the neighbouring crop the sweep goes to
    kVolumePriorMask = 3,     ///< the same sample's mask on the "behind" slice, 0/1
    kVolumePriorPresent = 4,  ///< 1 everywhere when channel 3 holds a mask, else 0 (the key slice)
};
inline constexpr int kVolumeChannels = 5;

/// Where a volume training example's prior mask comes from.
enum class PriorSide {
    Either,  ///< the neighbour below or above, at random (the first volume model)
    /// The neighbour toward the stack's middle (NoduleCase::middle), the way a
    /// sweep outward from the middle reaches every slice; the middle slice itself
    /// is a key slice. A prior from the outer side teaches "a marked neighbour
    /// means marked here" where the sweep never asks it: at a nodule's ends the
    /// outer neighbour's mask lies inside a larger one.
    Inward,
};
/// "either" or "inward"; std::nullopt for anything else.
[[nodiscard]] std::optional<PriorSide> priorSideFromName(const std::string& name);
[[nodiscard]] std::string priorSideName(PriorSide side);

/// `<patient>_<nodule>_slice-<k>` split into the nodule's name and k.
struct SliceName {
    std::string nodule;
    int slice = 0;
};
/// std::nullopt when `caseId` does not end in `_slice-<k>`.
[[nodiscard]] std::optional<SliceName> parseSliceName(const std::string& caseId);

/// One nodule: its slices in order, every slice with the same readers in the same
/// order (reader k on one slice is reader k on the next).
struct NoduleCase {
    std::string id;  ///< `<patient>_<nodule>`
    std::vector<MultiRaterCase> slices;
    std::vector<int> sliceNumbers;  ///< the k of each slice, increasing by 1
    /// The slice a sweep starts from and `ged` is taken on: index n / 2.
    [[nodiscard]] int middle() const { return static_cast<int>(slices.size()) / 2; }
};

/// Groups cases named `<patient>_<nodule>_slice-<k>` into nodules, each ordered
/// by k, the nodules in the order of their first case. Throws InvalidInput for a
/// name without `_slice-<k>`, a nodule whose slice numbers have a gap or repeat,
/// or slices of one nodule with different reader counts or sizes.
[[nodiscard]] std::vector<NoduleCase> groupIntoNodules(std::vector<MultiRaterCase> cases);

/// The condition planes of slice `index` of `crops` (each already in the model
/// input convention) for a sweep arriving from `behind` (index - 1 or index + 1;
/// -1 = the key slice, no prior): a missing neighbour crop (the stack's end) is
/// the slice itself. `prior` is the same sample's mask on `behind` (ignored for
/// the key slice). Returns the five planes of VolumeChannel.
[[nodiscard]] std::vector<ImageF> volumeCondition(const std::vector<ImageF>& crops, int index,
                                                  int behind, const Mask* prior);

}  // namespace flowseg::engine
