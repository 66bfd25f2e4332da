#pragma once
// Torch-level access to a Model, for the sampler, benchmarks and tests.

#include <mutex>

#include "flowseg/engine/model.h"
#include "flowseg/engine/velocity_unet.h"

namespace flowseg::engine {

struct Model::Impl {
    VelocityUNet network{nullptr};
    /// A distilled student's teacher when its checkpoint carries one (the full
    /// sampler: every solver but Solver::Jump runs it); else null.
    VelocityUNet teacher{nullptr};
    common::TrainingProvenance provenance;
    std::string checksum;
    std::string source;
    std::string device;
    /// Forward passes of one module must not interleave across threads.
    std::mutex forwardMutex;
};

}  // namespace flowseg::engine
