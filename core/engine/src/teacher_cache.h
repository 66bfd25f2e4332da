#pragma once
// A teacher cache's shards as tensors, for the student's training. Internal.

#include <torch/torch.h>
#include <string>
#include <vector>

#include "flowseg/engine/distill.h"

namespace flowseg::engine {

struct TeacherPaths {
    torch::Tensor conditions;  ///< [N, C, S, S] float16: X as the teacher read it
    torch::Tensor states;      ///< [N, knots + 1, 1, S, S] float16: x at t = k / knots
    torch::Tensor guidance;    ///< [N] float32: w of each path
    TeacherCacheInfo info;
};

/// Every complete shard of `directory`. Throws InvalidInput for an empty or
/// foreign directory.
TeacherPaths loadTeacherPaths(const std::string& directory);

}  // namespace flowseg::engine
