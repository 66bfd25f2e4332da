// The store's behaviour that both backends share, run on each: an SQLite file,
// and a PostgreSQL server started for the test (postgres_server.h).

#include <gtest/gtest.h>
#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "flowseg/db/accounts.h"
#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/db/study_repository.h"
#include "postgres_server.h"
#include "store_fixture.h"

using namespace flowseg::db;
namespace fs = std::filesystem;

namespace {

/// One server per test process, started on first use.
flowseg::test::PostgresServer& server() {
    static const std::unique_ptr<flowseg::test::PostgresServer> instance =
        std::make_unique<flowseg::test::PostgresServer>();
    return *instance;
}

class StoreOn : public ::testing::TestWithParam<Backend>, protected flowseg::test::StoreFixture {
protected:
    void TearDown() override {
        std::error_code ec;
        if (!m_file.empty()) fs::remove_all(m_file.parent_path(), ec);
    }
    /// A new, empty store on the backend under test.
    std::string location() {
        static std::atomic<int> counter{0};
        const auto name = "store" + std::to_string(++counter);
        if (GetParam() == Backend::Postgres) {
            server().createDatabase(name);
            m_location = server().superuserUri(name);
        } else {
            m_file = fs::temp_directory_path() /
                     ("flowseg_backend_" + std::to_string(::getpid()) + "_" + name) / "store.db";
            fs::create_directories(m_file.parent_path());
            m_location = m_file.string();
        }
        return m_location;
    }

    std::string m_location;
    fs::path m_file;
};

}  // namespace

TEST_P(StoreOn, ANewStoreHasTheLatestSchemaAndReopensAsItIs) {
    {
        auto db = Database::open(location());
        EXPECT_EQ(db.backend(), GetParam());
        EXPECT_EQ(db.schemaVersion(), Database::latestSchemaVersion());
        populate(db);
    }
    auto db = Database::open(m_location, OpenMode::Existing);
    EXPECT_EQ(db.schemaVersion(), Database::latestSchemaVersion());
    EXPECT_EQ(ExpertRepository(db).all().size(), 1U);
    EXPECT_EQ(db.path().find("dba-secret"), std::string::npos)
        << "the password shows in " << db.path();
    auto readOnly = Database::open(m_location, OpenMode::ReadOnly);
    EXPECT_EQ(LesionRepository(readOnly).ofSeries(1).size(), 1U);
    EXPECT_THROW(ExpertRepository(readOnly).findOrCreate("Dr Z"), DatabaseError);
}

TEST_P(StoreOn, AnnotationsAreVersionedNeverOverwritten) {
    auto db = Database::open(location());
    const auto f = populate(db);
    AnnotationRepository annotations(db);
    const auto v1 = annotations.save(f.lesion, f.expert, 3, squareMask(4));
    const auto v2 =
        annotations.save(f.lesion, f.expert, 3, squareMask(6), AnnotationSource::Manual, "grown");
    EXPECT_EQ(v1.version, 1);
    EXPECT_EQ(v2.version, 2);
    const auto history = annotations.history(f.lesion, f.expert, 3);
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history[0].mask, squareMask(4));
    EXPECT_EQ(history[1].area, 36);
    EXPECT_EQ(history[1].note, "grown");
    const auto latest = annotations.latestForLesion(f.lesion);
    ASSERT_EQ(latest.size(), 1U);
    EXPECT_EQ(latest[0].version, 2);
    // The schema itself refuses in-place edits.
    EXPECT_THROW(db.execute("UPDATE annotation_version SET area = 0"), DatabaseError);
    EXPECT_EQ(annotations.history(f.lesion, f.expert, 3)[0].area, 16);
}

TEST_P(StoreOn, ReviewStateModelsRunsAndReportsAreTraceable) {
    auto db = Database::open(location());
    const auto f = populate(db);
    LesionRepository lesions(db);
    lesions.setReviewState(f.lesion, ReviewState::Flagged);
    EXPECT_EQ(lesions.find(f.lesion)->state, ReviewState::Flagged);
    EXPECT_THROW(lesions.setReviewState(999, ReviewState::Completed), DatabaseError);

    ModelRepository models(db);
    const auto job = models.createJob({});
    models.updateJob(job, JobState::Running, 0.5, "step 50 loss 0.1");
    models.finishJob(job, JobState::Completed, "{\"ged\": 0.2}");
    const auto jobRecord = models.findJob(job);
    EXPECT_EQ(jobRecord->state, JobState::Completed);
    EXPECT_DOUBLE_EQ(jobRecord->progress, 1.0);
    EXPECT_NE(jobRecord->log.find("loss 0.1"), std::string::npos);
    ModelRecord model;
    model.path = "/models/a.fsm";
    model.sha256 = "abc";
    model.trainingJobId = job;
    const auto modelId = models.registerModel(model);
    EXPECT_EQ(models.registerModel(model), modelId);  // idempotent by checksum

    RunRepository runs(db);
    SamplingOutputs outputs;
    outputs.samples = {squareMask(3), squareMask(5)};
    outputs.probability = flowseg::common::ImageF(32, 32, 0.25F);
    SamplingRunRecord run;
    run.lesionId = f.lesion;
    run.modelId = modelId;
    run.solver = "midpoint";
    run.steps = 100;
    run.guidance = 0.3;
    run.samples = 2;
    run.seed = 42;
    run.device = "cpu";
    const auto runId = runs.saveRun(run, outputs);
    const auto stored = runs.runsOfLesion(f.lesion);
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].seed, 42);
    EXPECT_EQ(stored[0].solver, "midpoint");
    const auto back = runs.outputsOf(runId);
    EXPECT_EQ(back.samples, outputs.samples);
    EXPECT_EQ(back.probability.pixels, outputs.probability.pixels);
    runs.addReport({0, f.lesion, "/reports/r.pdf", "ff", f.expert, ""});
    EXPECT_EQ(runs.reportsOfLesion(f.lesion).size(), 1U);
}

TEST_P(StoreOn, TwoWritersAtOnceLoseNothing) {
    {
        auto db = Database::open(location());
        populate(db, "Dr A");
    }
    constexpr int kSaves = 40;
    const auto writer = [&](const std::string& expertName) {
        auto db = Database::open(m_location, OpenMode::Existing);  // own connection per thread
        const auto expert = ExpertRepository(db).findOrCreate(expertName).id;
        AnnotationRepository annotations(db);
        for (int i = 0; i < kSaves; ++i) annotations.save(1, expert, 3, squareMask(1 + i % 30));
    };
    std::thread a(writer, "Dr A");
    std::thread b(writer, "Dr B");
    a.join();
    b.join();
    auto db = Database::open(m_location, OpenMode::Existing);
    const auto experts = ExpertRepository(db).all();
    ASSERT_EQ(experts.size(), 2U);
    for (const auto& e : experts) {
        const auto history = AnnotationRepository(db).history(1, e.id, 3);
        ASSERT_EQ(history.size(), static_cast<size_t>(kSaves)) << e.name;
        for (int i = 0; i < kSaves; ++i) EXPECT_EQ(history[static_cast<size_t>(i)].version, i + 1);
    }
}

TEST_P(StoreOn, TheAuditTrailRecordsWhoChangedCompletedAndPromotedAndIsAppendOnly) {
    auto db = Database::open(location());
    const auto f = populate(db, "Dr A");
    AnnotationRepository(db).save(f.lesion, f.expert, 3, squareMask(4));
    LesionRepository(db).setExpertState(f.lesion, f.expert, ReviewState::Completed);
    LesionRepository(db).setExpertState(f.lesion, f.expert, ReviewState::InProgress);
    ModelRepository models(db);
    ModelRecord model;
    model.path = "/models/a.fsm";
    model.sha256 = "abc";
    model.label = "site fine-tune 1";
    const auto modelId = models.registerModel(model);
    models.setActive(modelId);
    AuditRepository audit(db);
    audit.record("exported", "lesion " + std::to_string(f.lesion), "report.pdf", "Dr A");

    const auto events = audit.events("lesion " + std::to_string(f.lesion));
    ASSERT_EQ(events.size(), 4U);
    EXPECT_EQ(events[0].action, "changed");
    EXPECT_NE(events[0].detail.find("slice 3, version 1"), std::string::npos) << events[0].detail;
    EXPECT_EQ(events[1].action, "completed");
    EXPECT_EQ(events[2].action, "reopened");
    EXPECT_EQ(events[3].action, "exported");
    // On SQLite the actor is the signed-in name; on a server, the login.
    const std::string actor = GetParam() == Backend::Postgres ? "dba" : "Dr A";
    for (const auto& e : events) EXPECT_EQ(e.actor, actor) << e.action;
    EXPECT_FALSE(events[0].at.empty());
    const auto promoted = audit.events("model " + std::to_string(modelId));
    ASSERT_EQ(promoted.size(), 1U);
    EXPECT_EQ(promoted[0].action, "promoted");
    EXPECT_EQ(promoted[0].detail, "site fine-tune 1");
    const auto all = audit.events();
    EXPECT_EQ(all.size(), 5U);

    EXPECT_THROW(db.execute("UPDATE audit_event SET actor = 'nobody'"), DatabaseError);
    EXPECT_THROW(db.execute("DELETE FROM audit_event"), DatabaseError);
    EXPECT_EQ(audit.events().size(), all.size());
}

// A nodule run keeps its samples on every slice it spans: the run's own slice
// where a one-slice run keeps it, the others by slice, and whether sample k is
// one chain through them.
TEST_P(StoreOn, ANoduleRunKeepsEverySliceItSpans) {
    auto db = Database::open(location());
    const auto f = populate(db, "Dr A");
    ModelRecord model;
    model.path = "/models/volume.fsm";
    model.sha256 = "vol";
    const auto modelId = ModelRepository(db).registerModel(model);
    RunRepository runs(db);
    SamplingRunRecord run;
    run.lesionId = f.lesion;
    run.modelId = modelId;
    run.slice = 5;
    run.solver = "jump";
    run.steps = 2;
    run.samples = 2;
    run.device = "cpu";
    run.coherent = true;
    run.chainsEnd = true;
    SamplingOutputs key;
    key.samples = {squareMask(4), squareMask(6)};
    key.probability = flowseg::common::ImageF(32, 32, 0.5F);
    std::map<int, SamplingOutputs> others;
    others[4].samples = {squareMask(2), squareMask(3)};
    others[4].probability = flowseg::common::ImageF(32, 32, 0.25F);
    others[6].samples = {squareMask(1), flowseg::common::Mask(32, 32)};
    others[5] = others[4];  // the run's own slice is `key`, whatever comes here
    const auto id = runs.saveRun(run, key, others);
    const auto stored = runs.runsOfLesion(f.lesion);
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_TRUE(stored[0].coherent);
    EXPECT_TRUE(stored[0].chainsEnd);
    EXPECT_EQ(runs.outputsOf(id).samples, key.samples);
    const auto slices = runs.sliceOutputsOf(id);
    ASSERT_EQ(slices.size(), 2U);
    EXPECT_EQ(slices.at(4).samples, others[4].samples);
    EXPECT_EQ(slices.at(4).probability.pixels, others[4].probability.pixels);
    EXPECT_EQ(slices.at(6).samples, others[6].samples);
    EXPECT_TRUE(slices.at(6).probability.empty());
    // A one-slice run: none, and not coherent.
    run.coherent = false;
    run.chainsEnd = false;
    const auto single = runs.saveRun(run, key);
    EXPECT_TRUE(runs.sliceOutputsOf(single).empty());
    EXPECT_FALSE(runs.runsOfLesion(f.lesion).back().coherent);
    EXPECT_FALSE(runs.runsOfLesion(f.lesion).back().chainsEnd);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreOn, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                             return info.param == Backend::Sqlite ? std::string("Sqlite")
                                                                  : std::string("Postgres");
                         });
