#pragma once
// The student's training (distill.h): its start from the teacher, and the loss
// of one step on the teacher's cached paths. Internal.

#include <torch/torch.h>
#include <string>

#include "flowseg/engine/checkpoint.h"
#include "flowseg/engine/velocity_unet.h"
#include "teacher_cache.h"

namespace flowseg::engine {

/// What a student run starts from: the teacher (its EMA weights, frozen), its
/// cached paths, and the student's architecture (the teacher's, reading w and d).
struct StudentStart {
    VelocityUNetOptions student;
    NamedTensors teacherWeights;
    std::string teacherChecksum;
    VelocityUNet teacher{nullptr};
    TeacherPaths paths;
};

/// Throws InvalidInput when the teacher is itself a student, the cache was made
/// by another teacher, or its paths do not fit the network.
StudentStart loadStudentStart(const std::string& teacherPath, const std::string& cacheDirectory,
                              int studentSteps, const std::string& device);

/// Copies every tensor of `weights` whose name and shape the student has (all
/// but the student's own (w, d) layers, which keep their zero start).
void initializeStudentFromTeacher(torch::nn::Module& student, const NamedTensors& weights);

struct DistillBatchOptions {
    std::int64_t batch = 16;
    double foldShare = 0.25;    ///< examples that learn the guided velocity at d = 0
    double foldGuidance = 1.0;  ///< their w ~ U(0, foldGuidance)
    bool augment = true;        ///< the 8 flips and quarter turns, paths and X alike
};

/// MSE of the student on one batch: jumps of 1, 2 or 4 … knots-long segments
/// of the cached paths (target (x_{t+d} - x_t) / d at the path's own w), and a
/// share of points between knots whose target is the teacher's guided velocity
/// computed now (d = 0, w drawn).
torch::Tensor distillationLoss(VelocityUNet student, VelocityUNet teacher,
                               const TeacherPaths& paths, const DistillBatchOptions& options,
                               torch::Generator& generator);

}  // namespace flowseg::engine
