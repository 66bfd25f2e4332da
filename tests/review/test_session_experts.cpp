// Experts in the review session, without a window: outlines drawn and undone as
// versions in the store, blind and open review, the model's samples accepted as
// a starting outline, agreement and the most-ambiguous-first queue.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/review/outline_tools.h"
#include "session_fixture.h"

using namespace flowseg;
using namespace flowseg::test;

namespace {

class Experts : public ::testing::Test {
protected:
    void SetUp() override {
        path = scratchStore("experts");
        seriesId = storeWithSeries(path);
        session = std::make_unique<review::ReviewSession>(host);
        ASSERT_TRUE(session->openStore(path));
        session->models().set(tinyModel());
        session->setSeries(demoSeries(), seriesId);
        session->markLesion(boxAt(100, 100));
    }
    void TearDown() override {
        session.reset();
        fs::remove(path);
    }
    void settle() {
        session->store().flush();
        host.drain();
    }
    /// A disk of `radius` pixels at (cx, cy) on a slice-sized mask.
    static common::Mask disk(double cx, double cy, double radius) {
        common::Mask m(256, 256);
        review::paintStroke(m, {{cx, cy}}, radius, {1, 1, 1, false}, true);
        return m;
    }

    FakeHost host;
    std::string path;
    db::RowId seriesId = 0;
    std::unique_ptr<review::ReviewSession> session;
};

}  // namespace

TEST_F(Experts, AnOutlineNeedsASignedInExpertAndEachEditIsAVersionAndAnUndoStep) {
    session->editOutline(20, disk(108, 108, 5), "Brush stroke");
    EXPECT_TRUE(session->events().message().error);
    EXPECT_NE(session->events().message().text.find("sign in"), std::string::npos)
        << session->events().message().text;
    session->signIn({"Dr A", "radiologist"});
    session->editOutline(20, disk(108, 108, 5), "Brush stroke");
    ASSERT_TRUE(session->ownOutline(20));
    const long drawn = session->ownOutline(20)->area();
    EXPECT_GT(drawn, 60);
    EXPECT_EQ(session->undoStack().undoText(), "Brush stroke");
    session->undoStack().undo();
    EXPECT_EQ(session->ownOutline(20)->area(), 0);
    session->undoStack().redo();
    EXPECT_EQ(session->ownOutline(20)->area(), drawn);
    settle();
    ASSERT_NE(session->lesionId(), 0);
    auto database = db::Database::open(path, db::OpenMode::ReadOnly);
    const auto expert = db::ExpertRepository(database).all();
    ASSERT_EQ(expert.size(), 1U);
    const auto history =
        db::AnnotationRepository(database).history(session->lesionId(), expert.front().id, 20);
    ASSERT_EQ(history.size(), 3U) << "drawn, undone, redone: three versions, none overwritten";
    EXPECT_EQ(history[0].area, drawn);
    EXPECT_EQ(history[1].area, 0);
    EXPECT_EQ(history[2].area, drawn);
    // An edit that changes nothing is neither a step nor a version.
    const int steps = session->undoStack().count();
    session->editOutline(20, *session->ownOutline(20), "Brush stroke");
    EXPECT_EQ(session->undoStack().count(), steps);
}

TEST_F(Experts, BlindReviewShowsOnlyOnesOwnOutlineUntilTheLesionIsCompleted) {
    session->signIn({"Dr A", "radiologist"});
    session->editOutline(20, disk(108, 108, 5), "Brush stroke");
    session->setReviewState(db::ReviewState::Completed);
    settle();
    const auto lesion = session->lesionId();
    session->signIn({"Dr B", "resident"});
    session->setReviewMode(review::ReviewMode::Blind);
    EXPECT_TRUE(session->shownLayers().empty()) << "B sees nothing of A's work";
    session->editOutline(20, disk(110, 108, 6), "Brush stroke");
    ASSERT_EQ(session->shownLayers().size(), 1U);
    EXPECT_EQ(session->shownLayers().front()->expert.name, "Dr B");
    session->setReviewState(db::ReviewState::Completed);
    settle();
    EXPECT_EQ(session->shownLayers().size(), 2U) << "completed: A's outline appears";
    // Open review: everyone's, each with a toggle; the same after a reload from the store.
    session->setReviewMode(review::ReviewMode::Open);
    session->markLesion(boxAt(30, 30));
    session->selectLesion(lesion);
    EXPECT_EQ(session->shownLayers().size(), 2U);
    session->setExpertVisible("Dr A", false);
    ASSERT_EQ(session->shownLayers().size(), 1U);
    EXPECT_EQ(session->shownLayers().front()->expert.name, "Dr B");
    const auto* a = session->outlines().find("Dr A");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->state, db::ReviewState::Completed);
}

TEST_F(Experts, ASampleOrTheMajorityBecomesAnEditableOutline) {
    session->signIn({"Dr A", "radiologist"});
    session->acceptSample(0);
    EXPECT_TRUE(session->events().message().error) << "nothing sampled yet";
    session->requestSampling(engine::SamplingOptions::fastDefault());
    const auto request = host.started.back();
    session->samplingFinished(request.id, fakeResult(request, 4), {}, "");
    const auto& crop = session->result()->crop;
    session->acceptSample(1);
    ASSERT_TRUE(session->ownOutline(crop.slice));
    const auto expected = review::maskOnSlice(crop, session->result()->result.masks[1], 256, 256);
    EXPECT_EQ(*session->ownOutline(crop.slice), expected);
    EXPECT_EQ(session->undoStack().undoText(), "Accept sample 2");
    // ... and it is edited like any outline.
    auto edited = *session->ownOutline(crop.slice);
    review::paintStroke(edited, {{crop.originX + 2, crop.originY + 2}}, 2, {1, 1, 1, false}, true);
    session->editOutline(crop.slice, edited, "Brush stroke");
    EXPECT_GT(session->ownOutline(crop.slice)->area(), expected.area());
    session->acceptMajority();
    EXPECT_EQ(session->undoStack().undoText(), "Accept the samples' majority");
    settle();
    auto database = db::Database::open(path, db::OpenMode::ReadOnly);
    const auto versions = db::AnnotationRepository(database).latestForLesion(session->lesionId());
    ASSERT_EQ(versions.size(), 1U);
    EXPECT_EQ(versions.front().source, db::AnnotationSource::AcceptedSample);
}

TEST_F(Experts, AgreementIsComputedLikeTheMetricsAndRecordedInTheStore) {
    session->signIn({"Dr A", "radiologist"});
    const auto a = disk(108, 108, 5);
    session->editOutline(20, a, "Brush stroke");
    session->signIn({"Dr B", "radiologist"});
    const auto b = disk(110, 108, 6);
    session->editOutline(20, b, "Brush stroke");
    const auto agreement = session->agreement();
    ASSERT_EQ(agreement.experts, (std::vector<std::string>{"Dr A", "Dr B"}));
    ASSERT_EQ(agreement.pairs.size(), 1U);
    // Dice and IoU counted here, pixel by pixel, not through the metrics the session calls.
    double both = 0, sizeA = 0, sizeB = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        both += a.pixels[i] && b.pixels[i];
        sizeA += a.pixels[i] != 0;
        sizeB += b.pixels[i] != 0;
    }
    ASSERT_GT(both, 0);
    ASSERT_LT(both, sizeA);  // overlapping, not nested: the figures are not trivial
    EXPECT_DOUBLE_EQ(agreement.pairs.front().dice, 2 * both / (sizeA + sizeB));
    EXPECT_DOUBLE_EQ(agreement.pairs.front().iou, both / (sizeA + sizeB - both));
    ASSERT_EQ(agreement.measures.size(), 2U);
    // The demo series' pixels are 0.7 x 0.7 mm.
    EXPECT_NEAR(agreement.measures.front().slices.at(20).areaMm2, sizeA * 0.7 * 0.7, 1e-9);
    EXPECT_FALSE(agreement.measures.front().volumeMm3) << "one slice has no volume";
    EXPECT_EQ(agreement.staple.count(20), 1U);
    EXPECT_FALSE(agreement.gedExpertsVsSamples) << "no samples yet";
    session->requestSampling(engine::SamplingOptions::fastDefault());
    const auto request = host.started.back();
    session->samplingFinished(request.id, fakeResult(request, 4), {}, "");
    EXPECT_TRUE(session->agreement().gedExpertsVsSamples);
    session->recordAgreement();
    settle();
    auto database = db::Database::open(path, db::OpenMode::ReadOnly);
    const auto stored = db::LesionRepository(database).latestAgreement(session->lesionId());
    ASSERT_TRUE(stored);
    const auto json = nlohmann::json::parse(*stored);
    EXPECT_DOUBLE_EQ(json["pairs"][0]["dice"].get<double>(), engine::dice(a, b));
}

TEST_F(Experts, TheQueuePutsTheMostUncertainLesionFirst) {
    const auto sampleWith = [&](int spread) {
        session->requestSampling(engine::SamplingOptions::fastDefault());
        const auto request = host.started.back();
        auto r = fakeResult(request, 4);
        for (int i = 0; i < 4;
             ++i)  // masks that differ by `spread` columns: more spread, more variance
            for (int x = 0; x < spread * i; ++x) r.masks[static_cast<size_t>(i)].at(2, x) = 1;
        r.maps = engine::uncertaintyMaps(r.masks);
        session->samplingFinished(request.id, std::move(r), {}, "");
    };
    sampleWith(1);
    session->markLesion(boxAt(60, 60, 10));
    sampleWith(6);
    session->markLesion(boxAt(150, 60, 12));
    session->requestSampling(engine::SamplingOptions::fastDefault());  // stored, never finished
    session->cancelSampling();
    session->samplingFinished(host.started.back().id, std::nullopt, {}, "");
    settle();
    const auto queue = session->ambiguityQueue();
    ASSERT_EQ(queue.size(), 3U);
    EXPECT_EQ(queue[0].lesion.firstSlice, 10);
    EXPECT_EQ(queue[1].lesion.firstSlice, 20);
    EXPECT_GT(queue[0].uncertaintyMass, queue[1].uncertaintyMass);
    EXPECT_FALSE(queue[2].sampled);
}
