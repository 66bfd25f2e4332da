#pragma once
// One lesion's agreement, as the agreement panel shows it and the store keeps it:
// pairwise Dice and IoU between the experts over every outlined slice, the GED
// between the experts and the model's samples on the sampled slice, the
// majority and STAPLE consensus per slice, the samples' uncertainty mass, and
// the millimetre measures of each expert's outline and their range across the
// samples. Plain C++.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/review/agreement.h"
#include "flowseg/review/expert_outlines.h"
#include "flowseg/review/geometry.h"

namespace flowseg::review {

struct LesionResult;

struct ExpertMeasures {
    std::string expert;
    std::map<int, OutlineMeasures> slices;  ///< outlined slices
    std::optional<double> volumeMm3;        ///< outlined on consecutive slices
};

struct LesionAgreement {
    std::vector<std::string> experts;  ///< the experts with an outline, by name
    std::vector<PairAgreement> pairs;  ///< indices into `experts`, over all outlined slices
    /// GED (d = 1 - IoU) between the experts' and the samples' outlines: over the
    /// volume (every slice either the samples or the experts reach, on the
    /// samples' crop window) when the result holds several slices, else on the
    /// result's slice.
    std::optional<double> gedExpertsVsSamples;
    int gedSlices = 0;  ///< the slices that GED was taken over
    std::map<int, common::Mask>
        majority;  ///< slice -> outline marked by more than half the experts
    std::map<int, common::Mask>
        staple;                  ///< slice -> STAPLE consensus (over the outlined slices together)
    double uncertaintyMass = 0;  ///< Σ p(1 - p) of the samples, pixels
    std::vector<ExpertMeasures> measures;  ///< per expert
    /// Across the samples (on the slice): longest diameter, perpendicular diameter, area.
    std::optional<Range> sampleLongest, samplePerpendicular, sampleArea;
    [[nodiscard]] std::string toJson() const;
};

/// Computes the agreement of the experts' outlines (slice-sized masks of
/// `width` x `height`) and, when given, the model's result on its slice.
LesionAgreement computeAgreement(const ExpertOutlines& outlines, const LesionResult* result,
                                 int width, int height, const PixelSpacing& spacing);

}  // namespace flowseg::review
