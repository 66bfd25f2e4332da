#include "flowseg/engine/ode.h"

#include <torch/torch.h>
#include <algorithm>
#include <cmath>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

namespace {

struct Counter {
    const VelocityField& field;
    int evaluations = 0;
    torch::Tensor operator()(double t, const torch::Tensor& x) {
        ++evaluations;
        return field(t, x);
    }
};

torch::Tensor fixedStep(Solver solver, Counter& f, double t, double h, const torch::Tensor& x) {
    switch (solver) {
        case Solver::Euler:
        case Solver::Jump:  // the field is the student's average velocity over the step
            return x + h * f(t, x);
        case Solver::Midpoint: {
            const auto k1 = f(t, x);
            return x + h * f(t + h / 2, x + (h / 2) * k1);
        }
        case Solver::Heun: {
            const auto k1 = f(t, x);
            const auto k2 = f(t + h, x + h * k1);
            return x + (h / 2) * (k1 + k2);
        }
        case Solver::Rk4: {
            const auto k1 = f(t, x);
            const auto k2 = f(t + h / 2, x + (h / 2) * k1);
            const auto k3 = f(t + h / 2, x + (h / 2) * k2);
            const auto k4 = f(t + h, x + h * k3);
            return x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
        }
        case Solver::DormandPrince:
            break;
    }
    throw InvalidInput("fixedStep: not a fixed-step solver");
}

// Dormand-Prince 5(4) with FSAL and the standard step-size controller
// (Hairer, Norsett & Wanner, Solving ODEs I, II.4).
OdeResult dormandPrince(Counter& f, torch::Tensor x, const OdeOptions& o,
                        const StepObserver& observer) {
    constexpr double a21 = 1.0 / 5;
    constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
    constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
    constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                     a54 = -212.0 / 729;
    constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                     a65 = -5103.0 / 18656;
    constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784,
                     b6 = 11.0 / 84;
    // Error coefficients: 5th-order minus embedded 4th-order weights.
    constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920,
                     e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40;

    OdeResult result;
    const double span = o.t1 - o.t0;
    double t = o.t0;
    double h = span / std::max(1, o.steps);
    auto k1 = f(t, x);
    int attempts = 0;
    while (t < o.t1 - 1e-12) {
        if (++attempts > o.maxSteps)
            throw Error("Dormand-Prince did not reach t = 1 within " + std::to_string(o.maxSteps) +
                        " steps; loosen the tolerance");
        h = std::min(h, o.t1 - t);
        const auto k2 = f(t + h / 5, x + h * a21 * k1);
        const auto k3 = f(t + 3 * h / 10, x + h * (a31 * k1 + a32 * k2));
        const auto k4 = f(t + 4 * h / 5, x + h * (a41 * k1 + a42 * k2 + a43 * k3));
        const auto k5 = f(t + 8 * h / 9, x + h * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4));
        const auto k6 = f(t + h, x + h * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5));
        const auto next = x + h * (b1 * k1 + b3 * k3 + b4 * k4 + b5 * k5 + b6 * k6);
        const auto k7 = f(t + h, next);
        const auto errorEstimate = h * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
        const auto scale =
            o.absoluteTolerance + o.relativeTolerance * torch::maximum(x.abs(), next.abs());
        const double error = (errorEstimate / scale).pow(2).mean().sqrt().item<double>();
        if (!std::isfinite(error)) throw Error("Dormand-Prince: the state became non-finite");
        if (error <= 1.0) {
            t += h;
            x = next;
            k1 = k7;  // first same as last
            ++result.acceptedSteps;
            if (observer) observer(result.acceptedSteps, t, x);
        } else {
            ++result.rejectedSteps;
        }
        const double factor = error == 0.0 ? 5.0 : 0.9 * std::pow(error, -0.2);
        h *= std::clamp(factor, 0.2, 5.0);
    }
    result.x = x;
    return result;
}

}  // namespace

OdeResult integrate(const VelocityField& field, torch::Tensor x0, const OdeOptions& options,
                    const StepObserver& observer) {
    if (!field) throw InvalidInput("integrate: no velocity field");
    if (options.t1 <= options.t0) throw InvalidInput("integrate: t1 must be after t0");
    Counter counted{field};
    if (options.solver == Solver::DormandPrince) {
        if (options.relativeTolerance <= 0 || options.absoluteTolerance <= 0)
            throw InvalidInput("Dormand-Prince tolerances must be positive");
        auto result = dormandPrince(counted, std::move(x0), options, observer);
        result.evaluations = counted.evaluations;
        return result;
    }
    if (options.steps < 1) throw InvalidInput("the number of ODE steps must be at least 1");
    const double h = (options.t1 - options.t0) / options.steps;
    auto x = std::move(x0);
    for (int i = 0; i < options.steps; ++i) {
        const double t = options.t0 + i * h;
        x = fixedStep(options.solver, counted, t, h, x);
        if (observer) observer(i + 1, options.t0 + (i + 1) * h, x);
    }
    return OdeResult{x, counted.evaluations, options.steps, 0};
}

}  // namespace flowseg::engine
