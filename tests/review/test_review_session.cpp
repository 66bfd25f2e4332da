// The review session's rules, without a window: marking, undo and redo, what a
// new sampling result replaces, review states, and the store written off the
// session's thread (a fake host runs "background work" when the test says so).
#include <gtest/gtest.h>

#include <unistd.h>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>

#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/review/model_fitness.h"
#include "flowseg/review/review_session.h"
#include "session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;
namespace fs = std::filesystem;

namespace {

class Session : public ::testing::Test {
protected:
    void SetUp() override {
        session = std::make_unique<review::ReviewSession>(host);
        session->events().subscribe([this](review::Changes c) {
            changes |= c;
            if (c.has(review::Change::Message))
                messages.push_back(session->events().message().text);
        });
        session->models().set(tinyModel());
        session->setSeries(demoSeries(), 0);
        changes = {};
    }
    FakeHost host;
    std::unique_ptr<review::ReviewSession> session;
    review::Changes changes;
    std::vector<std::string> messages;
};

}  // namespace

TEST_F(Session, MarkingIsOneUndoStepAndUndoRedoRestoreTheBox) {
    session->markLesion(boxAt(100, 100));
    EXPECT_TRUE(session->box() == boxAt(100, 100));
    EXPECT_TRUE(changes.has(review::Change::Selection));
    EXPECT_TRUE(changes.has(review::Change::Undo));
    session->markLesion(boxAt(120, 90));
    EXPECT_EQ(session->undoStack().count(), 2);
    EXPECT_EQ(session->undoStack().undoText(), "Mark lesion");
    session->undoStack().undo();
    EXPECT_TRUE(session->box() == boxAt(100, 100));
    session->undoStack().undo();
    EXPECT_TRUE(session->box().empty());
    EXPECT_FALSE(session->undoStack().canUndo());
    session->undoStack().redo();
    session->undoStack().redo();
    EXPECT_TRUE(session->box() == boxAt(120, 90));
    // A new mark after an undo drops the undone step.
    session->undoStack().undo();
    session->markLesion(boxAt(50, 60));
    EXPECT_EQ(session->undoStack().count(), 2);
    EXPECT_FALSE(session->undoStack().canRedo());
}

TEST_F(Session, AResultLandsOnItsBoxAndComesBackWithIt) {
    session->markLesion(boxAt(100, 100));
    session->requestSampling(engine::SamplingOptions::fastDefault());
    ASSERT_EQ(host.started.size(), 1U);
    EXPECT_TRUE(session->isSampling());
    const auto request = host.started.back();
    EXPECT_EQ(request.crop.image.width, 32);  // the model's side
    changes = {};
    EXPECT_TRUE(session->samplingFinished(request.id, fakeResult(request, 4), {}, ""));
    EXPECT_FALSE(session->isSampling());
    ASSERT_TRUE(session->result());
    EXPECT_EQ(session->result()->result.masks.size(), 4U);
    EXPECT_TRUE(changes.has(review::Change::Result));
    EXPECT_NE(session->events().message().text.find("4 samples"), std::string::npos)
        << session->events().message().text;
    // Another box has no result; undoing back to the first brings its result back.
    session->markLesion(boxAt(150, 150));
    EXPECT_EQ(session->result(), nullptr);
    session->undoStack().undo();
    ASSERT_TRUE(session->result());
    EXPECT_EQ(session->result()->result.masks.size(), 4U);
}

TEST_F(Session, RemarkingCancelsTheRunForTheOldBoxAndItsResultIsDropped) {
    session->markLesion(boxAt(100, 100));
    session->requestSampling(engine::SamplingOptions::fastDefault());
    const auto request = host.started.back();
    session->markLesion(boxAt(140, 100));
    ASSERT_EQ(host.cancelled.size(), 1U);
    EXPECT_EQ(host.cancelled.back(), request.id);
    // The run ended after its last step anyway: its masks must not land anywhere.
    EXPECT_FALSE(session->samplingFinished(request.id, fakeResult(request, 3), {}, ""));
    EXPECT_EQ(session->result(), nullptr);
    session->undoStack().undo();
    EXPECT_EQ(session->result(), nullptr);
    EXPECT_NE(session->events().message().text.find("cancelled"), std::string::npos)
        << session->events().message().text;
}

TEST_F(Session, ANewRequestReplacesTheRunningOneWhenItHasStopped) {
    session->markLesion(boxAt(100, 100));
    auto first = engine::SamplingOptions::fastDefault();
    session->requestSampling(first);
    auto second = first;
    second.guidance = 0.8;
    session->requestSampling(second);  // e.g. the w slider moved
    ASSERT_EQ(host.cancelled.size(), 1U);
    EXPECT_EQ(host.started.size(), 1U) << "the second run waits for the first to stop";
    session->samplingFinished(host.started.back().id, std::nullopt, {}, "");  // cancelled
    ASSERT_EQ(host.started.size(), 2U);
    EXPECT_EQ(host.started.back().options.guidance, 0.8);
    // A stale report of the first request changes nothing.
    EXPECT_FALSE(session->samplingFinished(host.started.front().id,
                                           fakeResult(host.started.front(), 2), {}, ""));
    EXPECT_TRUE(session->isSampling());
    EXPECT_TRUE(session->samplingFinished(host.started.back().id,
                                          fakeResult(host.started.back(), 2), {}, ""));
    EXPECT_EQ(session->result()->options.guidance, 0.8);
}

TEST_F(Session, SamplingWithoutAModelASeriesOrABoxSaysWhatIsMissing) {
    session->requestSampling(engine::SamplingOptions::fastDefault());
    EXPECT_TRUE(session->events().message().error);
    EXPECT_NE(session->events().message().text.find("no lesion is marked"), std::string::npos);
    session->models().set(nullptr);
    session->markLesion(boxAt(100, 100));
    session->requestSampling(engine::SamplingOptions::fastDefault());
    EXPECT_NE(session->events().message().text.find("no model"), std::string::npos);
    session->models().set(tinyModel());
    session->setSeries(nullptr, 0);
    session->requestSampling(engine::SamplingOptions::fastDefault());
    EXPECT_NE(session->events().message().text.find("no series"), std::string::npos);
    EXPECT_TRUE(host.started.empty());
}

TEST(ModelFitness, NamesWhatTheModelWasNotMadeFor) {
    auto ct = *demoSeries();  // 0.7 x 0.7 mm pixels, 1.25 mm apart: LIDC-like
    EXPECT_TRUE(review::checkModelFitness(ct).empty());

    auto mr = ct;
    mr.modality = "MR";
    auto notes = review::checkModelFitness(mr);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_TRUE(review::refuses(notes));
    EXPECT_NE(notes[0].message.find("'MR'"), std::string::npos) << notes[0].message;

    auto coarse = ct;  // 1.5 mm pixels: outside 0.46-0.98, not absurd
    coarse.geometry.rowSpacing = coarse.geometry.columnSpacing = 1.5;
    notes = review::checkModelFitness(coarse);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_FALSE(review::refuses(notes));
    EXPECT_NE(notes[0].message.find("1.50 mm"), std::string::npos) << notes[0].message;

    auto huge = ct;  // 4 mm pixels: a 128-px crop is half a chest
    huge.geometry.rowSpacing = huge.geometry.columnSpacing = 4.0;
    EXPECT_TRUE(review::refuses(review::checkModelFitness(huge)));

    auto thick = ct;  // 8 mm between slices
    thick.geometry.sliceSpacing = 8;
    notes = review::checkModelFitness(thick);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_NE(notes[0].message.find("8.00 mm apart"), std::string::npos) << notes[0].message;

    auto unknown = ct;  // no PixelSpacing in the files
    unknown.geometry.hasSpacing = false;
    notes = review::checkModelFitness(unknown);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_FALSE(review::refuses(notes));
    EXPECT_NE(notes[0].message.find("no pixel spacing"), std::string::npos);
}

TEST_F(Session, ANonCtSeriesIsRefusedAndOddSpacingsWarnBesideTheResult) {
    auto mr = std::make_shared<dicom::Series>(*demoSeries());
    mr->modality = "MR";
    session->setSeries(mr, 0);
    session->markLesion(boxAt(100, 100));
    session->requestSampling(engine::SamplingOptions::fastDefault());
    EXPECT_TRUE(session->events().message().error);
    EXPECT_NE(
        session->events().message().text.find("Cannot sample: The model learnt from chest CT"),
        std::string::npos)
        << session->events().message().text;
    EXPECT_TRUE(host.started.empty());

    auto coarse = std::make_shared<dicom::Series>(*demoSeries());
    coarse->geometry.rowSpacing = coarse->geometry.columnSpacing = 1.5;
    session->setSeries(coarse, 0);
    session->markLesion(boxAt(100, 100));
    session->requestSampling(engine::SamplingOptions::fastDefault());
    ASSERT_EQ(host.started.size(), 1U);  // sampled, but not silently
    const auto request = host.started.back();
    EXPECT_TRUE(session->samplingFinished(request.id, fakeResult(request, 4), {}, ""));
    EXPECT_TRUE(session->events().message().error);
    EXPECT_NE(session->events().message().text.find("4 samples"), std::string::npos);
    EXPECT_NE(session->events().message().text.find("Caution: The pixels are 1.50 mm x 1.50 mm"),
              std::string::npos)
        << session->events().message().text;
}

TEST_F(Session, ANewSeriesForgetsTheBoxTheUndoStepsAndCancelsTheRun) {
    session->markLesion(boxAt(100, 100));
    session->requestSampling(engine::SamplingOptions::fastDefault());
    session->setSeries(demoSeries(), 0);
    EXPECT_EQ(host.cancelled.size(), 1U);
    EXPECT_TRUE(session->box().empty());
    EXPECT_EQ(session->undoStack().count(), 0);
    EXPECT_NE(session->events().message().text.find("40 slices"), std::string::npos);
}

TEST_F(Session, LayersAreTheSessionsAndANewResultClearsTheSelectedSample) {
    auto layers = session->layers();
    changes = {};
    session->setLayers(layers);
    EXPECT_TRUE(changes.empty()) << "no change, no notification";
    layers.heatmap = review::Heatmap::Entropy;
    layers.selectedSample = 2;
    session->setLayers(layers);
    EXPECT_TRUE(changes.has(review::Change::Layers));
    EXPECT_EQ(session->layers().heatmap, review::Heatmap::Entropy);
    session->markLesion(boxAt(100, 100));
    EXPECT_EQ(session->layers().selectedSample, -1);
    EXPECT_EQ(session->layers().heatmap, review::Heatmap::Entropy);
}

TEST_F(Session, TheStoreIsWrittenOffThisThreadAndReportedOnlyWhenCommitted) {
    const auto path =
        (fs::temp_directory_path() / ("flowseg_session_" + std::to_string(::getpid()) + ".flowseg"))
            .string();
    fs::remove(path);
    db::RowId seriesId = 0;
    {
        auto database = db::Database::open(path, db::OpenMode::Create);
        db::StudyRepository studies(database);
        const auto study =
            studies.upsertStudy({0, "1.2.3", "P1", "Demo^Patient", "20261130", "chest"});
        seriesId = studies.upsertSeries({0, study, "1.2.3.4", "CT", "demo", "/tmp"});
    }
    ASSERT_TRUE(session->openStore(path)) << session->events().message().text;
    session->setSeries(demoSeries(), seriesId);
    // Review state before any lesion is stored: a clear refusal.
    session->setReviewState(db::ReviewState::Completed);
    EXPECT_TRUE(session->events().message().error);
    EXPECT_NE(session->events().message().text.find("no stored lesion"), std::string::npos);

    session->markLesion(boxAt(100, 100));
    session->requestSampling(
        engine::SamplingOptions::fastDefault());  // its first run stores the lesion
    const auto request = host.started.back();
    session->samplingFinished(request.id, fakeResult(request, 5), {}, "");
    session->setReviewState(
        db::ReviewState::Flagged);  // queued behind the lesion, before its id is known
    EXPECT_EQ(session->lesionId(), 0) << "not reported before the writer commits and posts back";
    session->store().flush();
    host.drain();
    const auto lesionId = session->lesionId();
    ASSERT_NE(lesionId, 0);
    ASSERT_EQ(session->lesions().size(), 1U);
    EXPECT_EQ(session->lesions().front().state, db::ReviewState::Flagged);
    EXPECT_NE(session->events().message().text.find("Flagged"), std::string::npos)
        << session->events().message().text;
    {
        auto database = db::Database::open(path, db::OpenMode::ReadOnly);
        const auto lesion = db::LesionRepository(database).find(lesionId);
        ASSERT_TRUE(lesion);
        EXPECT_EQ(lesion->firstSlice, 20);
        EXPECT_EQ(lesion->box.x, 100);
        const auto runs = db::RunRepository(database).runsOfLesion(lesionId);
        ASSERT_EQ(runs.size(), 1U) << ::testing::PrintToString(messages);
        EXPECT_EQ(runs.front().samples, engine::SamplingOptions::fastDefault().samples);
        EXPECT_EQ(db::RunRepository(database).outputsOf(runs.front().id).samples.size(), 5U);
    }
    // Picking the stored lesion again (after another box) restores its box and
    // result, and forgets the undo steps.
    session->markLesion(boxAt(30, 30));
    session->selectLesion(lesionId);
    EXPECT_TRUE(session->box() == boxAt(100, 100));
    ASSERT_TRUE(session->result());
    EXPECT_EQ(session->undoStack().count(), 0);
    session.reset();
    fs::remove(path);
}

TEST_F(Session, AFailedStoreWriteIsAMessageAndTheSamplesStayShown) {
    const auto path = (fs::temp_directory_path() /
                       ("flowseg_session_bad_" + std::to_string(::getpid()) + ".flowseg"))
                          .string();
    fs::remove(path);
    ASSERT_TRUE(session->openStore(path));
    session->setSeries(demoSeries(), 4242);  // a series id the store does not hold
    session->markLesion(boxAt(100, 100));
    session->requestSampling(engine::SamplingOptions::fastDefault());
    const auto request = host.started.back();
    session->samplingFinished(request.id, fakeResult(request, 2), {}, "");
    session->store().flush();
    host.drain();
    EXPECT_TRUE(session->events().message().error);
    EXPECT_NE(session->events().message().text.find("could not be stored"), std::string::npos)
        << session->events().message().text;
    EXPECT_TRUE(session->result());
    EXPECT_EQ(session->lesionId(), 0);
    session.reset();
    fs::remove(path);
}

TEST_F(Session, ACorruptStoreIsRefusedWithItsName) {
    const auto path =
        (fs::temp_directory_path() / ("flowseg_session_junk_" + std::to_string(::getpid())))
            .string();
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        std::fputs("not a database", f);
        std::fclose(f);
    }
    EXPECT_FALSE(session->openStore(path));
    EXPECT_FALSE(session->store().isOpen());
    EXPECT_NE(session->events().message().text.find(path), std::string::npos)
        << session->events().message().text;
    fs::remove(path);
}
