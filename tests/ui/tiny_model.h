#pragma once
// The GUI tests' model: a tiny network trained for three steps on four synthetic
// lesions and saved, so that it has a checksum and provenance like a real model
// file (seconds on 2 cores).

#include <memory>
#include <string>
#include <vector>

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

}  // namespace flowseg::test
