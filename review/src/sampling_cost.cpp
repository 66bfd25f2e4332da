#include "flowseg/review/sampling_cost.h"

#include <cmath>
#include <cstdio>

#include "flowseg/engine/solver.h"

namespace flowseg::review {

namespace {

long passesPerSlice(const engine::SamplingOptions& o) {
    if (o.solver == engine::Solver::DormandPrince) return -1;
    // A student's jumps and w = 0 run one branch; guidance runs two.
    const long branches = o.solver == engine::Solver::Jump || o.guidance == 0.0 ? 1 : 2;
    return branches * o.samples * o.steps * engine::evaluationsPerStep(o.solver);
}

std::string thousands(long value) {
    std::string digits = std::to_string(value);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<size_t>(i), ",");
    return digits;
}

}  // namespace

SamplingCost samplingCost(const engine::SamplingOptions& options,
                          const engine::VelocityUNetOptions& network, int slices, bool wholeNodule,
                          double secondsPerPass) {
    SamplingCost cost;
    cost.passesPerSlice = passesPerSlice(options);
    auto paper = engine::SamplingOptions::paper();
    paper.samples = options.samples;
    cost.paperPassesPerSlice = passesPerSlice(paper);
    cost.slices = std::max(1, slices);
    cost.wholeNodule = wholeNodule;
    cost.student = network.isStudent() && options.solver == engine::Solver::Jump;
    if (cost.passesPerSlice > 0 && secondsPerPass > 0)
        cost.seconds = static_cast<double>(cost.passesPerSlice) * cost.slices * secondsPerPass;
    return cost;
}

std::string describeCost(const SamplingCost& c) {
    if (c.passesPerSlice < 0) return "Adaptive steps: the cost depends on the lesion.";
    const std::string passes =
        thousands(c.passesPerSlice) +
        " network passes per slice (paper setting: " + thousands(c.paperPassesPerSlice) + ").";
    const std::string where =
        c.wholeNodule ? (c.slices == 1 ? "the nodule's first slice"
                                       : "this nodule's " + std::to_string(c.slices) + " slices")
                      : "this slice";
    if (c.seconds < 0) return passes + "\nThe time for " + where + " is known after a first run.";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, c.seconds < 10 ? "%.1f" : "%.0f", c.seconds);
    return passes + "\nAbout " + seconds + " s for " + where + " on this machine" +
           (c.wholeNodule ? " (more if samples go on)." : ".");
}

std::string describePath(const engine::SamplingOptions& options,
                         const engine::VelocityUNetOptions& network) {
    if (options.solver == engine::Solver::Jump)
        return "The student's " + std::to_string(options.steps) + " jump" +
               (options.steps == 1 ? "" : "s") + " from noise to mask";
    const std::string path =
        network.isStudent() ? "The full sampler's path (the teacher)" : "The flow's path";
    if (options.solver == engine::Solver::DormandPrince) return path + " (dopri5, adaptive steps)";
    return path + " (" + engine::solverName(options.solver) + ", " + std::to_string(options.steps) +
           " steps)";
}

}  // namespace flowseg::review
