#pragma once
// DESIGN.md "Benchmarks": quality parity = GED on the synthetic evaluation set
// within 0.01 of the paper setting's. Shared by `flowseg bench` (which reports
// the cheapest setting at parity) and `flowseg-bench-plot` (which marks it).
// Torch-free.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace flowseg::engine {

inline constexpr double kGedParity = 0.01;

/// Among bench rows ({"name", "passes_per_case", "seconds_per_case", "ged"}), the
/// one with the fewest network passes per case (then the lowest GED, then the fewest
/// seconds) whose GED
/// is within `tolerance` of the row named `paperName` (which itself qualifies).
/// Empty when that row or its GED is missing.
std::optional<std::string> cheapestAtParity(const nlohmann::json& rows,
                                            const std::string& paperName,
                                            double tolerance = kGedParity);

}  // namespace flowseg::engine
