#pragma once
// A lesion sampled as a nodule: the same crop window on every slice it spans,
// sampled by engine::VolumeSampler (sample k is one chain through the slices
// with a volume model; each slice on its own with a slice model), growing past
// the slices it started on while any sample continues, within a stated limit.
// Plain C++ (no Qt); the window runs it in its sampling task.

#include <memory>
#include <vector>

#include "flowseg/db/records.h"
#include "flowseg/dicom/series.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/review/lesion_crop.h"

namespace flowseg::engine {
class Model;
}

namespace flowseg::review {

class ExpertOutlines;

/// The most slices one nodule's samples span (LIDC's largest nodules span 31
/// slices at 1.25 mm; growth stops here).
inline constexpr int kMaxNoduleSlices = 40;

/// Where a nodule's sampling starts: the slices the experts outlined (first to
/// last) or, without outlines, the box's slice alone; the key slice is where
/// the sweep starts (the box's slice, within the range).
struct NoduleRange {
    int first = 0;
    int last = 0;
    int key = 0;
    [[nodiscard]] int size() const { return last - first + 1; }
};
[[nodiscard]] NoduleRange noduleRange(const ExpertOutlines& outlines, int boxSlice, int depth);

/// One slice's samples.
struct SliceSamples {
    LesionCrop crop;
    engine::SamplingResult result;
};

struct NoduleSamples {
    std::vector<SliceSamples> slices;  ///< consecutive, the lowest slice first
    int keyIndex = 0;                  ///< the key slice's index in `slices`
    bool coherent = false;             ///< sample k is one chain through the slices
    std::int64_t networkPasses = 0;
    double seconds = 0;
};

/// Samples `box` on the slices of `range`, growing up and down while a sample
/// marks the end slice, within the series and `maxSlices`. Progress and cancel as
/// the engine's; the trajectory is the key slice's.
[[nodiscard]] NoduleSamples sampleNodule(std::shared_ptr<const engine::Model> model,
                                         const dicom::Series& series, const db::BoundingBox& box,
                                         const NoduleRange& range,
                                         const engine::SamplingOptions& options,
                                         const engine::SamplingCallbacks& callbacks = {},
                                         int maxSlices = kMaxNoduleSlices);

}  // namespace flowseg::review
