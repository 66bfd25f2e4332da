#include "flowseg/engine/hungarian.h"

#include <limits>

#include "flowseg/engine/error.h"

namespace flowseg::engine {

// Shortest augmenting paths with row/column potentials (1-based internally,
// column 0 is the virtual start). Each row is added once; O(n^3) overall.
std::vector<int> solveAssignment(const std::vector<double>& cost, int n) {
    if (n <= 0 || cost.size() != static_cast<size_t>(n) * n)
        throw InvalidInput("solveAssignment: cost matrix must be n*n with n > 0");
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(n + 1, 0.0);
    std::vector<double> v(n + 1, 0.0);
    std::vector<int> rowOfColumn(n + 1, 0);
    std::vector<int> previous(n + 1, 0);
    for (int row = 1; row <= n; ++row) {
        rowOfColumn[0] = row;
        int column = 0;
        std::vector<double> minSlack(n + 1, inf);
        std::vector<char> used(n + 1, 0);
        do {
            used[column] = 1;
            const int current = rowOfColumn[column];
            double delta = inf;
            int next = 0;
            for (int j = 1; j <= n; ++j) {
                if (used[j]) continue;
                const double reduced =
                    cost[static_cast<size_t>(current - 1) * n + (j - 1)] - u[current] - v[j];
                if (reduced < minSlack[j]) {
                    minSlack[j] = reduced;
                    previous[j] = column;
                }
                if (minSlack[j] < delta) {
                    delta = minSlack[j];
                    next = j;
                }
            }
            for (int j = 0; j <= n; ++j) {
                if (used[j]) {
                    u[rowOfColumn[j]] += delta;
                    v[j] -= delta;
                } else {
                    minSlack[j] -= delta;
                }
            }
            column = next;
        } while (rowOfColumn[column] != 0);
        do {
            const int prior = previous[column];
            rowOfColumn[column] = rowOfColumn[prior];
            column = prior;
        } while (column != 0);
    }
    std::vector<int> assignment(n, -1);
    for (int j = 1; j <= n; ++j) assignment[rowOfColumn[j] - 1] = j - 1;
    return assignment;
}

}  // namespace flowseg::engine
