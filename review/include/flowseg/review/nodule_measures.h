#pragma once
// What a nodule's samples say about its size, in millimetres: each sample's
// volume (its voxels on every slice it spans × the voxel's volume) and its
// longest axial diameter with the perpendicular one (on the slice where its
// longest diameter is largest, as Fleischner and Lung-RADS measure; across the
// largest connected part of the sample there, not between stray blobs), and the
// median and 5–95 % range of each across the samples. Plain C++.

#include <vector>

#include "flowseg/review/geometry.h"
#include "flowseg/review/nodule_sampling.h"

namespace flowseg::review {

struct SampleMeasures {
    double volumeMm3 = 0;
    double longestMm = 0;
    double perpendicularMm = 0;
    int slices = 0;  ///< slices the sample marks
};

/// The median and the 5 % and 95 % quantiles (linear between order statistics).
struct Spread {
    double median = 0;
    double low = 0;
    double high = 0;
};
[[nodiscard]] Spread spreadOf(std::vector<double> values);

struct NoduleMeasures {
    std::vector<SampleMeasures> samples;  ///< sample k of every slice is sample k here
    Spread volumeMm3;
    Spread longestMm;
    Spread perpendicularMm;
};

/// Measures sample k over `slices` (each slice's masks on its crop: a crop pixel
/// is crop.scale() slice pixels of `spacing`; the slice spacing is `spacing.slice`).
[[nodiscard]] NoduleMeasures measureNodule(const std::vector<SliceSamples>& slices,
                                           const PixelSpacing& spacing);

}  // namespace flowseg::review
