#pragma once
// Where the review window and the command line find the shipped model when none
// is named. Torch-free.

#include <string>
#include <vector>

namespace flowseg::engine {

/// Candidates, in order: $FLOWSEG_MODEL, <appDir>/../share/flowseg/models/default.fsm
/// (installed under the prefix; in the build tree the build stages the same
/// layout, build/share/flowseg, so nothing is looked up in the source tree).
std::vector<std::string> defaultModelCandidates(const std::string& appDir);

/// The first candidate that exists; throws std::runtime_error listing every path
/// tried and how to name a model (--model) when none does, and naming
/// $FLOWSEG_MODEL when that is set to a path that is not a file.
std::string findDefaultModel(const std::string& appDir);

}  // namespace flowseg::engine
