#pragma once
// Synthetic multi-rater lung-nodule crops whose true mask distribution is known.
//
// Image model (intensities are a lung window mapped to [0, 1]):
//   parenchyma  ~0.05 with slow texture and pixel noise (dark),
//   chest wall / mediastinum: a curved bright region entering from one side in
//               about 75 % of crops,
//   vessels:    3-8 bright curved tubes of 0.8-2.5 px radius,
//   nodule:     centred (+-1 px), star-shaped radius r(theta) = r0 (1 + sum_k a_k
//               cos(k theta + phi_k)), k = 2..4, r0 uniform in [2, 10] px (at
//               size 128), soft edge m(rho) = sigmoid((r(theta) - rho) / s) with
//               softness s in [0.3, 2.2] px; contrast c: solid 0.25-0.5, or faint
//               (ground glass, 25 %) 0.05-0.16.
//
// Rater model (each rater drawn independently from one population, so raters can
// be drawn without limit):
//   boundary level tau ~ U(0.2, 0.8): the rater's outline is where m = tau, i.e.
//               radius R(theta) = r(theta) + delta(theta) - s * logit(tau)
//               (a soft edge makes raters disagree more);
//   jitter      delta(theta) = sum_{k=1..3} b_k cos(k theta + psi_k), b_k ~ N(0, 0.35 px);
//   detection   the rater marks the nodule with probability
//               sigmoid((c - c_rater) / 0.015), c_rater ~ U(0.04, 0.2): faint
//               nodules are missed by some raters, sometimes by all but one.
//   A rater who detects it but whose outline encloses no pixel centre marks nothing.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "flowseg/engine/types.h"

namespace flowseg::engine {

/// The latent description of one synthetic lesion: enough to redraw raters.
struct SyntheticLesion {
    int size = 128;
    double centreX = 64;
    double centreY = 64;
    double radius = 5;
    std::vector<double> shapeAmplitude;  ///< a_k for k = 2, 3, 4
    std::vector<double> shapePhase;      ///< phi_k
    double softness = 1;                 ///< s, in pixels
    double contrast = 0.3;               ///< c

    /// The nodule's boundary radius at angle theta (pixels).
    [[nodiscard]] double boundaryRadius(double theta) const;
    /// A faint (ground-glass) nodule: contrast below kFaintContrastLimit. The image
    /// model draws faint ones in 0.05-0.16 and solid ones in 0.25-0.5, so the limit
    /// separates the two kinds; faint ones are the ones raters miss.
    [[nodiscard]] bool faint() const;
    static constexpr double kFaintContrastLimit = 0.2;
    /// Serialized as one-line JSON so evaluation can redraw raters from disk.
    [[nodiscard]] std::string toJson() const;
    static SyntheticLesion fromJson(const std::string& json);
};

struct SyntheticCase {
    MultiRaterCase data;
    SyntheticLesion lesion;
};

struct SyntheticOptions {
    int size = 128;
    int raters = 4;
    std::uint64_t seed = 1;
};

/// Draws one rater's mask for a lesion from the rater population.
Mask drawRaterMask(const SyntheticLesion& lesion, std::mt19937_64& rng);
/// Draws `count` independent raters.
std::vector<Mask> drawRaterMasks(const SyntheticLesion& lesion, int count, std::mt19937_64& rng);

/// Case `index` of the set defined by `options` (the same index and options give
/// the same case, so a data set can be generated in parallel or in part).
SyntheticCase generateSyntheticCase(const SyntheticOptions& options, int index);

/// Cases 0 .. count-1 of the set defined by `options`, drawn on `threads` threads
/// (0 = one per core). Each case is its own random stream, so the result is the
/// same for any thread count; at 128 px one case takes ~25 ms on one core, so the
/// 4096 in-memory training cases of a GPU run are minutes on one thread.
std::vector<SyntheticCase> generateSyntheticCases(const SyntheticOptions& options, int count,
                                                  int threads = 0);

}  // namespace flowseg::engine

namespace flowseg::engine {

/// GED of `samples` fresh draws from the true rater model against `experts`: the
/// floor no model can beat on average.
double oracleGed(const SyntheticLesion& lesion, const std::vector<Mask>& experts, int samples,
                 std::uint64_t seed);

}  // namespace flowseg::engine
