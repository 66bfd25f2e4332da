#pragma once
// ODE solver choices for integrating the flow from noise (t = 0) to mask (t = 1).

#include <string>
#include <string_view>
#include <vector>

namespace flowseg::engine {

/// Jump: Euler steps of a distilled student's average velocity over each step
/// (distill.h); only a student model samples with it.
enum class Solver { Euler, Midpoint, Heun, Rk4, DormandPrince, Jump };

/// "euler", "midpoint", "heun", "rk4", "dopri5" or "jump"; throws InvalidInput otherwise.
Solver parseSolver(std::string_view name);
std::string solverName(Solver solver);
std::vector<std::string> solverNames();
/// Velocity evaluations per fixed step (Dormand-Prince: per attempted step, FSAL aside).
int evaluationsPerStep(Solver solver);

struct OdeOptions {
    Solver solver = Solver::Midpoint;
    int steps = 100;                  ///< fixed-step solvers: number of equal steps over [t0, t1]
    double relativeTolerance = 1e-3;  ///< Dormand-Prince only
    double absoluteTolerance = 1e-3;  ///< Dormand-Prince only
    int maxSteps = 10000;  ///< Dormand-Prince: accepted + rejected steps before giving up
    double t0 = 0.0;
    double t1 = 1.0;
};

}  // namespace flowseg::engine
