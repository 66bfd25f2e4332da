// Each solver's global error order on dx/dt = cos(t) x, x(t) = x0 exp(sin t).

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <cmath>

#include "flowseg/engine/error.h"
#include "flowseg/engine/ode.h"

using namespace flowseg::engine;

namespace {

double finalError(Solver solver, int steps, int* evaluations = nullptr) {
    const VelocityField field = [](double t, const torch::Tensor& x) { return std::cos(t) * x; };
    const auto x0 = torch::tensor({1.0, -0.5}, torch::kFloat64);
    OdeOptions o;
    o.solver = solver;
    o.steps = steps;
    const auto r = integrate(field, x0, o);
    if (evaluations) *evaluations = r.evaluations;
    const auto exact = x0 * std::exp(std::sin(1.0));
    return (r.x - exact).abs().max().item<double>();
}

}  // namespace

struct OrderCase {
    Solver solver;
    double order;
    int evaluationsPerStep;
};

class SolverOrder : public ::testing::TestWithParam<OrderCase> {};

TEST_P(SolverOrder, GlobalErrorShrinksAtTheExpectedRate) {
    const auto p = GetParam();
    const int coarse = p.order >= 4 ? 4 : 16;
    int evaluations = 0;
    const double e1 = finalError(p.solver, coarse, &evaluations);
    const double e2 = finalError(p.solver, 2 * coarse);
    const double observed = std::log2(e1 / e2);
    EXPECT_NEAR(observed, p.order, 0.25) << solverName(p.solver) << " errors " << e1 << " " << e2;
    EXPECT_EQ(evaluations, coarse * p.evaluationsPerStep);
}

INSTANTIATE_TEST_SUITE_P(FixedStep, SolverOrder,
                         ::testing::Values(OrderCase{Solver::Euler, 1, 1},
                                           OrderCase{Solver::Midpoint, 2, 2},
                                           OrderCase{Solver::Heun, 2, 2},
                                           OrderCase{Solver::Rk4, 4, 4}),
                         [](const auto& info) { return solverName(info.param.solver); });

TEST(DormandPrince, ReachesTheRequestedToleranceAdaptively) {
    const VelocityField field = [](double t, const torch::Tensor& x) { return std::cos(t) * x; };
    const auto x0 = torch::tensor({1.0, -0.5}, torch::kFloat64);
    OdeOptions loose;
    loose.solver = Solver::DormandPrince;
    loose.steps = 10;
    loose.relativeTolerance = loose.absoluteTolerance = 1e-3;
    OdeOptions tight = loose;
    tight.relativeTolerance = tight.absoluteTolerance = 1e-9;
    const auto exact = x0 * std::exp(std::sin(1.0));
    const auto a = integrate(field, x0, loose);
    const auto b = integrate(field, x0, tight);
    EXPECT_LT((a.x - exact).abs().max().item<double>(), 1e-3);
    EXPECT_LT((b.x - exact).abs().max().item<double>(), 1e-8);
    EXPECT_GT(b.acceptedSteps, a.acceptedSteps);
    // First-same-as-last: 6 new evaluations per attempted step plus the initial one.
    EXPECT_EQ(b.evaluations, 1 + 6 * (b.acceptedSteps + b.rejectedSteps));
}

TEST(Ode, ObserverSeesEveryStepAndCanStopTheRun) {
    const VelocityField field = [](double, const torch::Tensor& x) { return -x; };
    OdeOptions o;
    o.solver = Solver::Euler;
    o.steps = 10;
    std::vector<double> times;
    integrate(field, torch::ones({1}), o,
              [&](int, double t, const torch::Tensor&) { times.push_back(t); });
    ASSERT_EQ(times.size(), 10U);
    EXPECT_NEAR(times.back(), 1.0, 1e-12);
    int seen = 0;
    EXPECT_THROW(integrate(field, torch::ones({1}), o,
                           [&](int step, double, const torch::Tensor&) {
                               seen = step;
                               if (step == 3) throw Cancelled();
                           }),
                 Cancelled);
    EXPECT_EQ(seen, 3);
}

TEST(Ode, RejectsNonsenseOptions) {
    const VelocityField field = [](double, const torch::Tensor& x) { return x; };
    OdeOptions o;
    o.steps = 0;
    EXPECT_THROW(integrate(field, torch::ones({1}), o), InvalidInput);
    EXPECT_THROW(parseSolver("leapfrog"), InvalidInput);
}
