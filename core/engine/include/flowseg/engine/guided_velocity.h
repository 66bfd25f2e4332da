#pragma once
// Classifier-free guided velocity u_g = u(t,x,X) + w (u(t,x,X) - u(t,x,0)), evaluated
// for all M samples and both branches in ONE batched forward pass.

#include <torch/types.h>

#include "flowseg/engine/velocity_unet.h"

namespace flowseg::engine {

class GuidedVelocity {
public:
    /// condition: [1, C, H, W] shared by all samples, or [M, C, H, W] one per sample; samples: M;
    /// guidance: w (0 skips the unconditional branch). channelsLast: feed the network NHWC tensors
    /// (convolutions then run channels-last).
    GuidedVelocity(VelocityUNet network, const torch::Tensor& condition, int64_t samples,
                   double guidance, bool channelsLast = false);

    /// x: [M, 1, H, W] at time t. Returns the guided velocity in float32, shaped like x
    /// (contiguous), whatever precision the network ran in.
    torch::Tensor operator()(double t, const torch::Tensor& x);

    /// Images pushed through the network so far (M or 2M per call).
    [[nodiscard]] int64_t networkPasses() const { return m_passes; }
    [[nodiscard]] bool usesUnconditionalBranch() const { return m_guidance != 0.0; }

private:
    VelocityUNet m_network;
    torch::Tensor m_batchedCondition;  ///< [M or 2M, C, H, W]: X repeated, then zeros
    int64_t m_samples;
    double m_guidance;
    bool m_channelsLast;
    int64_t m_passes = 0;
};

/// A distilled student's velocity (distill.h): the guidance weight w and the step
/// length d are inputs, so one branch of M images per call. d = 0: the guided
/// velocity; d > 0: the average guided velocity over [t, t + d] (Solver::Jump).
class StudentVelocity {
public:
    StudentVelocity(VelocityUNet network, const torch::Tensor& condition, int64_t samples,
                    double guidance, double step, bool channelsLast = false);
    torch::Tensor operator()(double t, const torch::Tensor& x);
    [[nodiscard]] int64_t networkPasses() const { return m_passes; }

private:
    VelocityUNet m_network;
    torch::Tensor m_condition;  ///< [M, C, H, W]
    int64_t m_samples;
    double m_guidance;
    double m_step;
    bool m_channelsLast;
    int64_t m_passes = 0;
};

/// The same formula as two separate forward passes per sample; for tests only.
torch::Tensor unbatchedGuidedVelocity(VelocityUNet network, const torch::Tensor& condition,
                                      double guidance, double t, const torch::Tensor& x);

}  // namespace flowseg::engine
