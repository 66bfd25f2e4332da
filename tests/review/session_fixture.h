#pragma once
// What the review-session tests share: a fake host that runs "background work"
// when the test says so, the demo CT as a series, a tiny saved model, results.

#include <unistd.h>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "flowseg/db/database.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/engine/uncertainty.h"
#include "flowseg/review/review_session.h"

namespace flowseg::test {

namespace fs = std::filesystem;

/// Records what the session asks for; posts run when the test drains them.
class FakeHost : public review::SessionHost {
public:
    void startSampling(const review::SamplingRequest& request) override {
        started.push_back(request);
    }
    void cancelSampling(std::uint64_t id) override { cancelled.push_back(id); }
    void post(std::function<void()> work) override {
        const std::lock_guard lock(mutex);
        posted.push_back(std::move(work));
    }
    void drain() {
        for (;;) {
            std::function<void()> next;
            {
                const std::lock_guard lock(mutex);
                if (posted.empty()) return;
                next = std::move(posted.front());
                posted.pop_front();
            }
            next();
        }
    }
    std::vector<review::SamplingRequest> started;
    std::vector<std::uint64_t> cancelled;
    std::mutex mutex;
    std::deque<std::function<void()>> posted;
};

inline std::shared_ptr<const dicom::Series> demoSeries() {
    const auto demo = dicom::demoChestCt();
    auto s = std::make_shared<dicom::Series>();
    s->width = demo.width;
    s->height = demo.height;
    s->depth = demo.depth;
    s->values = demo.hu;
    s->patientName = "Demo^Patient";
    s->modality = "CT";
    s->geometry.rowSpacing = demo.geometry.rowSpacing;
    s->geometry.columnSpacing = demo.geometry.columnSpacing;
    s->geometry.sliceSpacing = demo.geometry.sliceSpacing;
    s->geometry.hasSpacing = true;
    return s;
}

/// A tiny network trained for `steps` steps on synthetic lesions, saved at `path`.
inline std::shared_ptr<const engine::Model> trainTinyModel(const std::string& path, int steps) {
    std::vector<common::MultiRaterCase> cases;
    for (int i = 0; i < 2; ++i) cases.push_back(engine::generateSyntheticCase({32, 2, 3}, i).data);
    engine::TrainingOptions o;
    o.preset = "tiny";
    o.iterations = steps;
    o.batchSize = 2;
    o.device = "cpu";
    o.checkpointPath = path;
    engine::Trainer(cases, o).run();
    return engine::Model::load(path, "cpu");
}

/// A tiny network saved as a model file (so it has a checksum, as every model the
/// window loads does), trained for one step on synthetic lesions.
inline std::shared_ptr<const engine::Model> tinyModel() {
    static const std::string path = [] {
        const auto file = (fs::temp_directory_path() /
                           ("flowseg_session_model_" + std::to_string(::getpid()) + ".fsm"))
                              .string();
        trainTinyModel(file, 1);
        return file;
    }();
    return engine::Model::load(path, "cpu");
}

/// A result of `m` masks shaped like the request's crop.
inline engine::SamplingResult fakeResult(const review::SamplingRequest& request, int m) {
    engine::SamplingResult r;
    const auto side = request.crop.image.width;
    for (int i = 0; i < m; ++i) {
        common::Mask mask(side, side);
        for (int y = side / 2 - 3; y < side / 2 + 3 + i % 2; ++y)
            for (int x = side / 2 - 3; x < side / 2 + 3; ++x) mask.at(y, x) = 1;
        r.masks.push_back(mask);
    }
    r.maps = engine::uncertaintyMaps(r.masks);
    r.seconds = 0.5;
    r.networkPasses = 8;
    r.device = "cpu";
    return r;
}

inline review::LesionBox boxAt(int x, int y, int slice = 20) { return {{x, y, 16, 16}, slice}; }

/// A fresh store path in the temporary folder (removed first).
inline std::string scratchStore(const std::string& name) {
    const auto path = (fs::temp_directory_path() /
                       ("flowseg_" + name + "_" + std::to_string(::getpid()) + ".flowseg"))
                          .string();
    fs::remove(path);
    return path;
}

/// Creates the store at `path` holding one study and series; returns the series id.
inline db::RowId storeWithSeries(const std::string& path) {
    auto database = db::Database::open(path, db::OpenMode::Create);
    db::StudyRepository studies(database);
    const auto study = studies.upsertStudy({0, "1.2.3", "P1", "Demo^Patient", "20261130", "chest"});
    return studies.upsertSeries({0, study, "1.2.3.4", "CT", "demo", "/tmp"});
}

}  // namespace flowseg::test
