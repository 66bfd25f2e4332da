#include "flowseg/engine/solver.h"

#include "flowseg/engine/error.h"

namespace flowseg::engine {

Solver parseSolver(std::string_view name) {
    if (name == "euler") return Solver::Euler;
    if (name == "midpoint") return Solver::Midpoint;
    if (name == "heun") return Solver::Heun;
    if (name == "rk4") return Solver::Rk4;
    if (name == "dopri5" || name == "dormand-prince") return Solver::DormandPrince;
    if (name == "jump") return Solver::Jump;
    throw InvalidInput("unknown solver '" + std::string(name) +
                       "' (choose euler, midpoint, heun, rk4, dopri5, or jump for a distilled "
                       "student)");
}

std::string solverName(Solver solver) {
    switch (solver) {
        case Solver::Euler:
            return "euler";
        case Solver::Midpoint:
            return "midpoint";
        case Solver::Heun:
            return "heun";
        case Solver::Rk4:
            return "rk4";
        case Solver::DormandPrince:
            return "dopri5";
        case Solver::Jump:
            return "jump";
    }
    return "unknown";
}

std::vector<std::string> solverNames() {
    return {"euler", "midpoint", "heun", "rk4", "dopri5", "jump"};
}

int evaluationsPerStep(Solver solver) {
    switch (solver) {
        case Solver::Euler:
        case Solver::Jump:
            return 1;
        case Solver::Midpoint:
        case Solver::Heun:
            return 2;
        case Solver::Rk4:
            return 4;
        case Solver::DormandPrince:
            return 6;
    }
    return 1;
}

}  // namespace flowseg::engine
