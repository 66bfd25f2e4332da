#pragma once
// What a sampling run costs before it starts: network passes per slice, and the
// expected seconds for the lesion from this machine's measured rate; and what
// the trajectory of a run shows. Plain C++ (no Qt).

#include <string>

#include "flowseg/engine/network_options.h"
#include "flowseg/engine/sampler.h"

namespace flowseg::review {

struct SamplingCost {
    long passesPerSlice = -1;      ///< network passes per slice; -1: adaptive steps (dopri5)
    long paperPassesPerSlice = 0;  ///< the paper setting's, for comparison
    int slices = 1;                ///< slices the run starts with (a nodule may grow)
    bool wholeNodule = false;
    double seconds = -1;   ///< expected for those slices on this machine; -1: not measured yet
    bool student = false;  ///< a distilled student's jumps (one branch)
};

/// `secondsPerPass`: this machine's rate from earlier runs (<= 0: unknown).
[[nodiscard]] SamplingCost samplingCost(const engine::SamplingOptions& options,
                                        const engine::VelocityUNetOptions& network, int slices,
                                        bool wholeNodule, double secondsPerPass);

/// "30 network passes per slice (paper setting: 6,000).\nAbout 0.9 s for this
/// nodule's 5 slices on this machine (more if samples go on)."
[[nodiscard]] std::string describeCost(const SamplingCost& cost);

/// What a run's trajectory shows: the student's few jumps, or the full
/// sampler's path (a student's teacher, or the model itself).
[[nodiscard]] std::string describePath(const engine::SamplingOptions& options,
                                       const engine::VelocityUNetOptions& network);

}  // namespace flowseg::review
