#pragma once
// Set-to-set segmentation metrics of DESIGN.md ("Metrics, exactly").
// Distance d = 1 - IoU with IoU(empty, empty) = 1 and IoU(empty, A) = 0.

#include <optional>
#include <vector>

#include "flowseg/engine/types.h"

namespace flowseg::engine {

/// Intersection over union; 1 when both masks are empty.
double iou(const Mask& a, const Mask& b);
/// Dice coefficient; 1 when both masks are empty.
double dice(const Mask& a, const Mask& b);

/// Pixelwise majority: foreground where strictly more than half of the masks are.
Mask majorityMask(const std::vector<Mask>& masks);

/// Squared generalized energy distance between predicted samples and expert masks.
double generalizedEnergyDistance(const std::vector<Mask>& samples,
                                 const std::vector<Mask>& experts);
/// Hungarian-matched IoU on lcm(N, M) repeated copies of both sets.
double hungarianMatchedIou(const std::vector<Mask>& samples, const std::vector<Mask>& experts);
/// The paper's Dice: majority of the samples against majority of the experts.
double consensusDice(const std::vector<Mask>& samples, const std::vector<Mask>& experts);
/// Mean over experts of the best Dice any sample reaches against that expert.
double maximumDice(const std::vector<Mask>& samples, const std::vector<Mask>& experts);
/// Pearson correlation over pixels of the two variance maps p(1-p); empty when
/// either map is constant (e.g. all experts agree), where correlation is undefined.
std::optional<double> varianceCorrelation(const std::vector<Mask>& samples,
                                          const std::vector<Mask>& experts);
/// GED of the oracle single answer: the experts' majority mask repeated `copies` times.
double singleMaskGed(const std::vector<Mask>& experts, int copies);

/// Every metric of one case.
struct CaseMetrics {
    double ged = 0;
    double hmIou = 0;
    double dice = 0;
    double dMax = 0;
    std::optional<double> varianceCorrelation;
    double singleMaskGed = 0;
    /// GED's three terms: GED = 2 * cross - sampleDiversity - expertDiversity.
    /// A model whose samples are too alike has sampleDiversity << expertDiversity;
    /// one whose samples are off target has a large cross term.
    double crossDistance = 0;    ///< E d(S, Y)
    double sampleDiversity = 0;  ///< E d(S, S')
    double expertDiversity = 0;  ///< E d(Y, Y')
};

CaseMetrics evaluateCase(const std::vector<Mask>& samples, const std::vector<Mask>& experts);

/// Pearson correlation of two equally long series; empty when either is constant.
std::optional<double> pearson(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace flowseg::engine
