#pragma once
// Few-step sampling by distillation (docs/ENGINE.md "Few-step sampling").
// Torch-free header.
//
// The teacher (any trained model, slice or volume) is integrated once over
// training examples with its guided two-branch velocity, and the states at
// t = k / knots are cached on disk (buildTeacherCache, resumable). A student
// network (VelocityUNetOptions::student) reads, besides t, the guidance weight
// w and a step length d, and learns the average velocity along the teacher's
// paths, u(x_t, t; w, d) = (x_{t+d} - x_t) / d, so that a few Euler jumps of
// length d land where the teacher's many small steps do; at d = 0 it learns the
// teacher's guided velocity itself, one branch instead of two.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "flowseg/engine/sampler.h"
#include "flowseg/engine/volume.h"

namespace flowseg::engine {

class Model;

struct TeacherCacheOptions {
    std::string directory;             ///< created if missing; holds manifest.json + shards
    std::int64_t trajectories = 8192;  ///< total wanted (a resumed run adds what is missing)
    std::int64_t shardSize = 128;      ///< trajectories per shard file (the unit of resuming)
    int knots = 4;                     ///< states kept at t = k / knots, k = 0 … knots
    SamplingOptions teacher = SamplingOptions::fastDefault();  ///< solver, steps (M, seed unused)
    std::vector<double> guidances{0.3};                        ///< w of each shard, in turn
    std::uint64_t seed = 1;
    int batch = 32;  ///< trajectories integrated together
    /// The volume teacher's examples are drawn as its training drew them.
    PriorSide priorSide = PriorSide::Either;
    double priorDropout = 0.25;
    double neighbourDropout = 0.1;
};

struct TeacherCacheProgress {
    std::int64_t done = 0;  ///< trajectories cached, this run and earlier ones
    std::int64_t total = 0;
    double seconds = 0;  ///< this run
};

struct TeacherCacheCallbacks {
    std::function<void(const TeacherCacheProgress&)> progress;  ///< after each shard
    std::function<bool()> cancelled;  ///< polled between batches; the shard in work is dropped
};

/// Fills `options.directory` with the teacher's paths on the training examples
/// of `nodules` (each nodule's slices; a slice teacher reads the crops alone).
/// Resumes a directory made with the same teacher and settings; throws
/// InvalidInput naming the difference for one made otherwise. Returns the
/// number of cached trajectories.
std::int64_t buildTeacherCache(const Model& teacher, std::vector<NoduleCase> nodules,
                               const TeacherCacheOptions& options,
                               const TeacherCacheCallbacks& callbacks = {});

/// What a cache directory holds (its manifest.json).
struct TeacherCacheInfo {
    std::string teacherChecksum;
    std::string teacherSource;
    std::string input;     ///< the teacher's "slice" or "volume"
    std::string sampling;  ///< the teacher's solver and steps
    int knots = 0;
    std::int64_t trajectories = 0;  ///< in complete shards
    std::vector<double> guidances;
};
/// Throws InvalidInput when `directory` is not a teacher cache.
TeacherCacheInfo readTeacherCacheInfo(const std::string& directory);

}  // namespace flowseg::engine
