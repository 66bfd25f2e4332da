#pragma once
// Minimum-cost perfect assignment on a square cost matrix (Hungarian / Kuhn-Munkres
// with potentials, O(n^3)).

#include <vector>

namespace flowseg::engine {

/// `cost` is n*n, row-major. Returns for each row the column assigned to it.
std::vector<int> solveAssignment(const std::vector<double>& cost, int n);

}  // namespace flowseg::engine
