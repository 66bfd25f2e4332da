#pragma once
// The fine-tuning tests' fixture (test_fine_tune.cpp, test_fine_tune_site.cpp):
// a store in a temporary folder, patients from the demo CT, their nodules
// outlined by two experts, and the tiny run settings.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/imaging/image_io.h"
#include "flowseg/imaging/patient_split.h"
#include "flowseg/review/case_import.h"
#include "flowseg/review/fine_tune.h"
#include "flowseg/review/study_import.h"
#include "session_fixture.h"

namespace flowseg::test {

/// A disc of `radius` slice pixels around (cx, cy) on a slice-sized mask.
inline common::Mask disc(int width, int height, double cx, double cy, double radius) {
    common::Mask m(height, width);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            if (std::hypot(x - cx, y - cy) <= radius) m.at(y, x) = 1;
    return m;
}

class FineTune : public ::testing::Test {
protected:
    void SetUp() override {
        folder = std::filesystem::temp_directory_path() /
                 ("flowseg_finetune_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(folder);
        std::filesystem::create_directories(folder);
        store = (folder / "store.flowseg").string();
        model = tinyModel()->source();
    }
    void TearDown() override { std::filesystem::remove_all(folder); }

    /// Writes the demo CT as patient `patient` and registers it; returns the series id.
    db::RowId addPatient(const std::string& patient, unsigned seed) {
        auto ct = dicom::demoChestCt(seed);
        ct.patientId = patient;
        ct.studyUid.clear();
        ct.seriesUid.clear();
        const auto where = folder / patient;
        dicom::writeSeries(where.string(), ct);
        auto database = db::Database::open(store);
        return review::registerStudyFolder(database, where.string()).seriesIds.front();
    }

    /// Each demo nodule as a lesion outlined by two experts on three slices (the
    /// second expert's outline `grow` pixels wider), in `state`.
    std::vector<db::RowId> outlineNodules(db::RowId series, db::ReviewState state,
                                          double grow = 2) {
        auto database = db::Database::open(store);
        db::LesionRepository lesions(database);
        db::AnnotationRepository annotations(database);
        db::ExpertRepository experts(database);
        const auto a = experts.findOrCreate("Dr A").id;
        const auto b = experts.findOrCreate("Dr B").id;
        std::vector<db::RowId> ids;
        for (const auto& n : dicom::demoNodules()) {
            const int r = static_cast<int>(std::ceil(n.radius + grow)) + 2;
            db::LesionRecord lesion;
            lesion.seriesId = series;
            lesion.label = n.kind;
            lesion.firstSlice = n.slice - 1;
            lesion.lastSlice = n.slice + 1;
            lesion.box = {n.x - r, n.y - r, 2 * r, 2 * r};
            lesion.state = state;
            const auto id = lesions.create(lesion);
            for (int z = n.slice - 1; z <= n.slice + 1; ++z) {
                annotations.save(id, a, z, disc(256, 256, n.x, n.y, n.radius));
                annotations.save(id, b, z, disc(256, 256, n.x, n.y, n.radius + grow));
            }
            ids.push_back(id);
        }
        return ids;
    }

    review::FineTuneOptions tinyOptions(std::int64_t steps = 12) const {
        review::FineTuneOptions o;
        o.steps = steps;
        o.batchSize = 4;
        o.learningRate = 1e-3;
        o.device = "cpu";
        o.validationSamples = 2;
        o.versionsFolder = (folder / "models").string();
        return o;
    }

    std::filesystem::path folder;
    std::string store;
    std::string model;
};

}  // namespace flowseg::test
