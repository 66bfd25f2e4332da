#pragma once
// The GUI tests' model: a tiny network trained for three steps on four synthetic
// lesions and saved, so that it has a checksum and provenance like a real model
// file (seconds on 2 cores).

#include <memory>
#include <string>
#include <vector>

#include "flowseg/engine/distill.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"

namespace flowseg::test {

inline std::shared_ptr<const engine::Model> trainTinyGuiModel(const std::string& path) {
    std::vector<common::MultiRaterCase> cases;
    for (int i = 0; i < 4; ++i) cases.push_back(engine::generateSyntheticCase({32, 3, 5}, i).data);
    engine::TrainingOptions training;
    training.preset = "tiny";
    training.iterations = 3;
    training.batchSize = 4;
    training.device = "cpu";
    training.checkpointPath = path;
    engine::Trainer(cases, training).run();
    return engine::Model::load(path, "cpu");
}

/// A few-step student of `teacherPath` (a tiny model's file): eight of its
/// paths cached in `cacheDir`, three distillation steps (seconds).
inline std::shared_ptr<const engine::Model> trainTinyGuiStudent(const std::string& teacherPath,
                                                                const std::string& cacheDir,
                                                                const std::string& path) {
    std::vector<common::MultiRaterCase> cases;
    for (int i = 0; i < 4; ++i) {
        auto c = engine::generateSyntheticCase({32, 3, 5}, i).data;
        c.id = "P0_nodule-0_slice-" + std::to_string(i);
        cases.push_back(std::move(c));
    }
    engine::TeacherCacheOptions cache;
    cache.directory = cacheDir;
    cache.trajectories = 8;
    cache.shardSize = 8;
    cache.teacher.steps = 4;
    engine::buildTeacherCache(*engine::Model::load(teacherPath, "cpu"),
                              engine::groupIntoNodules(std::move(cases)), cache);
    engine::TrainingOptions training;
    training.distillTeacher = teacherPath;
    training.distillCache = cacheDir;
    training.studentSteps = 2;
    training.iterations = 3;
    training.batchSize = 4;
    training.device = "cpu";
    training.checkpointPath = path;
    engine::Trainer(training).run();
    return engine::Model::load(path, "cpu");
}

}  // namespace flowseg::test
