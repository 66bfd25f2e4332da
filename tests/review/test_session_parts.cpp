// The review session's composed models, each on its own: the events (typed
// changes, observers, the message), the lesion boxes under review, the sampling
// queue's rules, the store's writes coming back on the session's thread only
// once committed, and the model versions.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/review/expert_outlines.h"
#include "flowseg/review/lesion_drafts.h"
#include "flowseg/review/model_versions.h"
#include "flowseg/review/run_record.h"
#include "flowseg/review/sampling_queue.h"
#include "flowseg/review/session_events.h"
#include "flowseg/review/session_store.h"
#include "session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;
using review::Change;
using review::Changes;

TEST(SessionEvents, ChangesAreATypedSet) {
    Changes c = Change::Series | Change::Result;
    EXPECT_TRUE(c.has(Change::Series));
    EXPECT_TRUE(c.has(Change::Result));
    EXPECT_FALSE(c.has(Change::Layers));
    EXPECT_TRUE(c.any(Change::Layers | Change::Result));
    EXPECT_FALSE(c.any(Change::Layers | Change::Undo));
    EXPECT_TRUE(Changes().empty());
    c |= Change::Layers;
    EXPECT_TRUE(c.has(Change::Layers));
    EXPECT_TRUE(Changes::all().has(Change::Tools));
}

TEST(SessionEvents, ObserversHearChangesAndTheMessageAndMayLeaveWhileTold) {
    review::SessionEvents events;
    std::vector<Changes> first;
    std::vector<Changes> second;
    int secondHandle = 0;
    events.subscribe([&](Changes c) {
        first.push_back(c);
        events.unsubscribe(secondHandle);  // the second still hears this round
    });
    secondHandle = events.subscribe([&](Changes c) { second.push_back(c); });
    events.notify({});  // nothing changed: nobody is told
    EXPECT_TRUE(first.empty());
    events.say("Lesion marked", false, Change::Selection);
    ASSERT_EQ(first.size(), 1U);
    EXPECT_EQ(first[0], Change::Selection | Change::Message);
    EXPECT_EQ(second.size(), 1U);
    EXPECT_EQ(events.message().text, "Lesion marked");
    EXPECT_FALSE(events.message().error);
    events.say("Cannot sample", true);
    EXPECT_EQ(first.size(), 2U);
    EXPECT_EQ(second.size(), 1U) << "unsubscribed";
    EXPECT_TRUE(events.message().error);
}

TEST(LesionDrafts, BoxesKeepTheirResultsAndStoreIds) {
    review::LesionDrafts drafts;
    EXPECT_TRUE(drafts.box().empty());
    EXPECT_EQ(drafts.result(), nullptr);
    const auto a = drafts.add(boxAt(10, 10));
    const auto b = drafts.add(boxAt(50, 50), 7);
    EXPECT_NE(a, b);
    EXPECT_EQ(drafts.currentKey(), 0U) << "adding does not select";
    EXPECT_TRUE(drafts.setCurrent(a));
    EXPECT_FALSE(drafts.setCurrent(a)) << "not moved";
    EXPECT_TRUE(drafts.box() == boxAt(10, 10));
    EXPECT_EQ(drafts.lesionId(), 0);
    drafts.current()->result.emplace();
    EXPECT_NE(drafts.result(), nullptr);
    EXPECT_EQ(drafts.findStored(7), b);
    EXPECT_EQ(drafts.findStored(8), 0U);
    EXPECT_EQ(drafts.findStored(0), 0U) << "0 is no store id";
    drafts.setCurrent(b);
    EXPECT_EQ(drafts.lesionId(), 7);
    EXPECT_EQ(drafts.result(), nullptr);
    drafts.setCurrent(a);
    EXPECT_NE(drafts.result(), nullptr) << "a box comes back with its result";
    EXPECT_TRUE(drafts.setCurrent(999)) << "an unknown key selects none";
    EXPECT_EQ(drafts.currentKey(), 0U);
    drafts.forgetStoreIds();
    EXPECT_EQ(drafts.findStored(7), 0U);
    EXPECT_FALSE(drafts.find(b)->stored());
    drafts.clear();
    EXPECT_FALSE(drafts.contains(a));
    EXPECT_NE(drafts.add(boxAt(1, 1)), a) << "keys are never reused";
}

TEST(SamplingQueue, ANewRequestReplacesTheRunningOneOnceItStops) {
    review::SamplingQueue queue;
    EXPECT_FALSE(queue.busy());
    EXPECT_EQ(queue.cancel(), 0U);
    EXPECT_EQ(queue.replace({}), 0U) << "nothing runs: nothing to replace";
    review::SamplingRun run;
    run.draft = 3;
    const auto first = queue.start(run);
    EXPECT_TRUE(queue.busy());
    EXPECT_THROW(queue.start(run), std::logic_error);
    engine::SamplingOptions next;
    next.samples = 4;
    EXPECT_EQ(queue.replace(next), first) << "the running one is to be cancelled";
    EXPECT_FALSE(queue.finish(first + 1)) << "not the running request";
    const auto ended = queue.finish(first);
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->draft, 3U);
    EXPECT_FALSE(queue.busy());
    const auto rerun = queue.takeRerun();
    ASSERT_TRUE(rerun);
    EXPECT_EQ(rerun->samples, 4);
    EXPECT_FALSE(queue.takeRerun()) << "once";
    const auto second = queue.start(run);
    EXPECT_GT(second, first);
    EXPECT_EQ(queue.cancelUnlessFor(3), 0U) << "a run for the current box goes on";
    queue.replace(next);
    EXPECT_EQ(queue.cancelUnlessFor(4), second);
    EXPECT_FALSE(queue.takeRerun()) << "cancelling forgets the re-run";
    EXPECT_FALSE(queue.finish(first)) << "a request replaced long ago";
}

TEST(SessionStore, AWriteIsReportedOnTheSessionsThreadOnlyOnceCommitted) {
    FakeHost host;
    const auto path = scratchStore("session_store");
    std::vector<std::string> reports;
    {
        review::SessionStore store(host);
        EXPECT_FALSE(store.isOpen());
        store.write([](db::Database&) { FAIL() << "a closed store runs nothing"; });
        store.open(path);
        EXPECT_TRUE(store.isOpen());
        EXPECT_EQ(store.path(), path);
        store.write(
            [](db::Database& database) {
                db::ExpertRepository(database).findOrCreate("Reader A", "radiologist");
            },
            [&](const std::string& error) { reports.push_back(error); });
        store.write([](db::Database&) { throw std::runtime_error("disk full"); },
                    [&](const std::string& error) { reports.push_back(error); });
        store.flush();
        EXPECT_TRUE(reports.empty()) << "reports come back through the host's thread";
        EXPECT_EQ(db::ExpertRepository(*store.reader()).all().size(), 1U) << "committed";
        host.drain();
        ASSERT_EQ(reports.size(), 2U);
        EXPECT_EQ(reports[0], "");
        EXPECT_NE(reports[1].find("disk full"), std::string::npos);
        store.write([](db::Database&) {}, [&](const std::string&) { reports.push_back("late"); });
    }
    host.drain();  // the store is gone: its last report is dropped, the write kept
    EXPECT_EQ(reports.size(), 2U);
    review::SessionStore store(host);
    EXPECT_THROW(store.open("/nonexistent-folder/x.flowseg"), std::exception);
    EXPECT_FALSE(store.isOpen());
    std::filesystem::remove(path);
}

TEST(ModelVersions, UsingAVersionLoadsItAndRecordsItActive) {
    FakeHost host;
    const auto path = scratchStore("model_versions");
    review::SessionEvents events;
    review::SessionStore store(host);
    review::ModelVersions models(store, events);
    EXPECT_EQ(models.label(), "");
    EXPECT_FALSE(models.use(1));
    EXPECT_NE(events.message().text.find("open one first"), std::string::npos);
    store.open(path);
    const auto tiny = tinyModel();
    models.set(tiny);
    EXPECT_EQ(models.label(), std::filesystem::path(tiny->source()).filename().string());
    db::RowId id = 0;
    {
        db::ModelRecord record;
        record.path = tiny->source();
        record.sha256 = tiny->checksum();
        record.preset = "tiny";
        record.label = "v1 (base)";
        auto writer = db::Database::open(path, db::OpenMode::Existing);
        id = db::ModelRepository(writer).registerModel(record);
    }
    EXPECT_EQ(models.label(), "v1 (base)") << "the store's label for the loaded model";
    EXPECT_FALSE(models.use(id + 100));
    EXPECT_TRUE(events.message().error);
    EXPECT_EQ(models.current(), tiny) << "a failed switch keeps the model";
    EXPECT_TRUE(models.use(id));
    store.flush();
    host.drain();
    ASSERT_TRUE(db::ModelRepository(*store.reader()).active());
    EXPECT_EQ(db::ModelRepository(*store.reader()).active()->id, id);
    std::filesystem::remove(path);
}

TEST(ExpertOutlines, TheKeySliceIsWhereTheOutlinesTogetherAreLargest) {
    review::ExpertOutlines outlines;
    EXPECT_EQ(outlines.keySlice(), -1);
    const auto square = [](int side) {
        common::Mask mask(20, 20);
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) mask.at(y, x) = 1;
        return mask;
    };
    // Reader A is largest on slice 3, but both readers together on slice 5.
    outlines.layer({1, "A", "radiologist"}).slices[3] = square(6);  // 36
    outlines.layer({1, "A", "radiologist"}).slices[5] = square(4);  // 16
    outlines.layer({2, "B", "radiologist"}).slices[5] = square(5);  // 25 -> 41 on slice 5
    outlines.layer({2, "B", "radiologist"}).slices[7] = square(0);
    EXPECT_EQ(outlines.keySlice(), 5);
    outlines.layer({2, "B", "radiologist"}).slices[3] = square(3);  // 45 on 3, 41 on 5
    EXPECT_EQ(outlines.keySlice(), 3);
}

TEST(RunRecord, TheWindowAndTheCommandLineStoreARunAlike) {
    const auto model = tinyModel();
    engine::SamplingOptions options = engine::SamplingOptions::fastDefault();
    options.samples = 3;
    options.seed = 42;
    review::SamplingRequest request;
    request.crop.image = common::ImageF(32, 32);
    const auto result = fakeResult(request, 3);
    const auto record = review::runToStore(*model, 12, options, result);
    EXPECT_EQ(record.model.sha256, model->checksum());
    EXPECT_EQ(record.model.preset, "tiny");
    EXPECT_EQ(record.run.slice, 12);
    EXPECT_EQ(record.run.samples, 3);
    EXPECT_EQ(record.run.seed, 42);
    EXPECT_EQ(record.run.steps, options.steps);
    EXPECT_EQ(record.run.durationSeconds, 0.5);
    EXPECT_EQ(record.outputs.samples.size(), 3U);

    const auto path = scratchStore("run_record");
    const auto seriesId = storeWithSeries(path);
    auto database = db::Database::open(path, db::OpenMode::Existing);
    db::LesionRecord lesion;
    lesion.seriesId = seriesId;
    lesion.label = "lesion 1";
    lesion.firstSlice = lesion.lastSlice = 12;
    lesion.box = {1, 2, 16, 16};
    const auto lesionId = db::LesionRepository(database).create(lesion);
    const auto runId = review::saveRun(database, lesionId, record);
    const auto runs = db::RunRepository(database).runsOfLesion(lesionId);
    ASSERT_EQ(runs.size(), 1U);
    EXPECT_EQ(runs[0].id, runId);
    EXPECT_EQ(runs[0].slice, 12);
    EXPECT_EQ(runs[0].solver, record.run.solver);
    EXPECT_EQ(db::ModelRepository(database).find(runs[0].modelId)->sha256, model->checksum());
    EXPECT_EQ(db::RunRepository(database).outputsOf(runId).samples.size(), 3U);
    std::filesystem::remove(path);
}
