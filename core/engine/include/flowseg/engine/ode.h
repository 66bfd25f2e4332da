#pragma once
// Generic explicit ODE integration of dx/dt = f(t, x) on tensors.

#include <torch/types.h>
#include <functional>

#include "flowseg/engine/solver.h"

namespace flowseg::engine {

using VelocityField = std::function<torch::Tensor(double t, const torch::Tensor& x)>;
/// Called after every accepted step with the step index (1-based), time and state.
/// Throwing (e.g. Cancelled) stops the integration.
using StepObserver = std::function<void(int step, double t, const torch::Tensor& x)>;

struct OdeResult {
    torch::Tensor x;
    int evaluations = 0;
    int acceptedSteps = 0;
    int rejectedSteps = 0;
};

OdeResult integrate(const VelocityField& field, torch::Tensor x0, const OdeOptions& options,
                    const StepObserver& observer = {});

}  // namespace flowseg::engine
