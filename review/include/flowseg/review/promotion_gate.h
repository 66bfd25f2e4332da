#pragma once
// The validation gate of a fine-tuned model version: it becomes the active one
// only when it beats its parent on the held-out lesions by more than a stated
// minimum improvement of the GED, and a paired test over those lesions
// supports that (one-sided sign-flip permutation test on the per-lesion
// differences, exact up to 20 lesions). The lesion is the unit: its slices are
// not independent of each other.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace flowseg::review {

struct GateDecision {
    bool promote = false;
    int lesions = 0;
    double meanImprovement = 0;  ///< parent GED - version GED, averaged over lesions
    double pValue = 1;           ///< H0: the mean improvement is at most the minimum
    std::string reason;          ///< one sentence for the job log and the status line
};

/// Means of `perCase` values grouped by `lesionOfCase` (an index per case into
/// 0..lesions-1). Lesions without a case are left out.
std::vector<double> perLesionMeans(const std::vector<double>& perCase,
                                   const std::vector<std::size_t>& lesionOfCase,
                                   std::size_t lesions);

/// The one-sided p-value of the sign-flip test that the mean of `differences`
/// exceeds 0 (exact for up to 20 values; else 100,000 random flips, seeded).
double signFlipPValue(const std::vector<double>& differences, std::uint64_t seed = 1);

/// Decides on a version from its and its parent's GED per held-out lesion.
GateDecision decidePromotion(const std::vector<double>& parentGed,
                             const std::vector<double>& versionGed, double minimumImprovement,
                             double alpha = 0.05);

}  // namespace flowseg::review
