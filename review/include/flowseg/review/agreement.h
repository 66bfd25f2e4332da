#pragma once
// How far experts agree on one lesion, and their consensus: pairwise Dice and
// IoU, the majority outline, and STAPLE (Warfield, Zou and Wells, IEEE TMI
// 23(7), 2004: each expert's sensitivity and specificity and the true outline
// estimated together by expectation-maximization). Written here rather than
// taken from Debian's ITK (itk::STAPLEImageFilter): that one filter would pull
// 29 development packages into the build. Tested on cases whose answer is known.
// Plain C++.

#include <cstddef>
#include <vector>

#include "flowseg/common/types.h"

namespace flowseg::review {

struct PairAgreement {
    std::size_t first = 0;  ///< indices into the masks given
    std::size_t second = 0;
    double dice = 0;
    double iou = 0;
};

/// Dice and IoU of every pair (i < j). Two empty masks agree fully (1, 1).
std::vector<PairAgreement> pairwiseAgreement(const std::vector<common::Mask>& masks);

struct StapleResult {
    common::Mask consensus;           ///< probability >= 0.5
    common::ImageF probability;       ///< P(true outline) per pixel
    std::vector<double> sensitivity;  ///< per expert
    std::vector<double> specificity;  ///< per expert
    double prior = 0;                 ///< P(true outline) before seeing any expert
    int iterations = 0;
    bool converged = false;
};

/// Binary STAPLE over masks of one shape (at least one). The prior is the mean
/// fraction of foreground over the experts (as ITK's filter); sensitivity and
/// specificity start at 0.99 and iterate until neither moves by `tolerance`.
/// Throws std::invalid_argument for no masks or masks of different shapes.
StapleResult staple(const std::vector<common::Mask>& masks, int maxIterations = 200,
                    double tolerance = 1e-8);

}  // namespace flowseg::review
