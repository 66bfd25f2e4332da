// Fine-tuning on the store's finished multi-expert lesions: which lesions count,
// the split by patient, the job and version records, promotion only when the
// validation GED improves, cancel and divergence leaving the parent active.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "fine_tune_fixture.h"
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

using namespace flowseg;
namespace fs = std::filesystem;

using flowseg::test::FineTune;

TEST_F(FineTune, TooFewFinishedLesionsSaysHowManyMoreAndRecordsNothing) {
    const auto series = addPatient("P1", 1);
    outlineNodules(series, db::ReviewState::InProgress);  // three lesions, none finished
    outlineNodules(series, db::ReviewState::Completed);   // three finished
    auto options = tinyOptions();
    options.minimumLesions = 5;
    try {
        review::runFineTune(store, model, options);
        FAIL() << "fine-tuned on too few lesions";
    } catch (const review::NotEnoughAnnotations& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("the store has 3 (2 more)"), std::string::npos) << message;
        EXPECT_NE(message.find("Completed"), std::string::npos) << message;
    }
    auto database = db::Database::open(store);
    EXPECT_FALSE(db::ModelRepository(database).findJob(1))
        << "a refused fine-tune left a job behind";
    EXPECT_TRUE(db::ModelRepository(database).all().empty())
        << "a refused fine-tune registered its parent";
}

TEST_F(FineTune, TwoExpertsCompletingTheirOwnReviewFinishALesion) {
    const auto series = addPatient("P1", 1);
    const auto ids = outlineNodules(series, db::ReviewState::InProgress);
    auto database = db::Database::open(store);
    auto options = tinyOptions();
    options.minimumLesions = 2;
    EXPECT_THROW(review::fineTuneCases(database, 32, options), review::NotEnoughAnnotations);
    db::LesionRepository lesions(database);
    db::ExpertRepository experts(database);
    for (const auto id : {ids[0], ids[1]}) {
        lesions.setExpertState(id, experts.findOrCreate("Dr A").id, db::ReviewState::Completed);
        lesions.setExpertState(id, experts.findOrCreate("Dr B").id, db::ReviewState::Completed);
    }
    lesions.setExpertState(ids[2], experts.findOrCreate("Dr A").id,
                           db::ReviewState::Completed);  // one of two
    const auto cases = review::fineTuneCases(database, 32, options);
    EXPECT_EQ(cases.trainLesions.size() + cases.validationLesions.size(), 2U);
    EXPECT_EQ(cases.splitBy, "lesion") << "one patient's lesions can only be split by lesion";
}

TEST_F(FineTune, CasesAreTheExpertsOutlinesOnTheModelsCropSplitByPatient) {
    outlineNodules(addPatient("P1", 1), db::ReviewState::Completed);
    outlineNodules(addPatient("P2", 2), db::ReviewState::Completed);
    outlineNodules(addPatient("P3", 3), db::ReviewState::Completed);
    auto database = db::Database::open(store);
    const auto cases = review::fineTuneCases(database, 32, tinyOptions());
    EXPECT_EQ(cases.splitBy, "patient");
    ASSERT_EQ(cases.validationPatients.size(), 1U);  // a quarter of three patients, at least one
    EXPECT_EQ(cases.trainLesions.size(), 6U);
    EXPECT_EQ(cases.validationLesions.size(), 3U);
    EXPECT_EQ(cases.train.size(), 18U);  // three outlined slices per lesion
    EXPECT_EQ(cases.validation.size(), 9U);
    std::set<std::string> trainPatients;
    for (const auto& c : cases.train) {
        trainPatients.insert(imaging::patientOfCase(c.id));
        ASSERT_EQ(c.experts.size(), 2U);
        EXPECT_EQ(c.image.width, 32);
        EXPECT_EQ(c.experts[0].width, 32);
        // Dr B drew wider than Dr A, and both outlines are on the crop.
        EXPECT_GT(c.experts[0].area(), 0);
        EXPECT_GT(c.experts[1].area(), c.experts[0].area()) << c.id;
    }
    EXPECT_EQ(trainPatients.count(cases.validationPatients.front()), 0U)
        << "a patient in both parts";
    for (const auto& c : cases.validation)
        EXPECT_EQ(imaging::patientOfCase(c.id), cases.validationPatients.front());
}

TEST_F(FineTune, AFinishedJobThatPassesTheGateBecomesTheActiveVersion) {
    // Four patients, half held out: six validation lesions, enough for the
    // gate's paired test to show an improvement at 5 % (2^-6 < 0.05).
    for (unsigned p = 1; p <= 4; ++p)
        outlineNodules(addPatient("P" + std::to_string(p), p), db::ReviewState::Completed);
    std::vector<std::pair<std::int64_t, double>> validations;
    int progressCalls = 0;
    review::FineTuneCallbacks callbacks;
    callbacks.validation = [&](std::int64_t step, double ged) {
        validations.emplace_back(step, ged);
    };
    callbacks.progress = [&](const review::FineTuneProgress& p) {
        ++progressCalls;
        EXPECT_LE(p.step, p.steps);
    };
    auto options = tinyOptions(12);
    options.evaluateEvery = 6;
    options.validationShare = 0.5;
    // A margin of -3: GED lies in [0, 2], so the new version beats it on every
    // lesion whatever it learnt. (The test below sets +5, which nothing passes.)
    options.minimumImprovement = -3;
    const auto result = review::runFineTune(store, model, options, callbacks);
    ASSERT_NE(result.outcome, review::FineTuneResult::Outcome::Cancelled);
    EXPECT_GT(progressCalls, 0);
    ASSERT_EQ(validations.size(), 3U);  // the parent, step 6, step 12
    EXPECT_EQ(validations.front(), std::make_pair(std::int64_t{0}, result.parentGed));
    EXPECT_EQ(validations.back(), std::make_pair(std::int64_t{12}, result.ged));

    auto database = db::Database::open(store);
    db::ModelRepository models(database);
    const auto version = models.find(result.version);
    ASSERT_TRUE(version);
    EXPECT_EQ(version->parentId, result.parent);
    ASSERT_TRUE(version->trainingJobId);
    const auto job = models.findJob(*version->trainingJobId);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->state, db::JobState::Completed);
    EXPECT_EQ(job->baseModelId, result.parent);
    EXPECT_NE(job->log.find("validation GED"), std::string::npos) << job->log;
    const auto metrics = nlohmann::json::parse(version->metricsJson);
    EXPECT_DOUBLE_EQ(metrics.at("validation_ged").get<double>(), result.ged);
    EXPECT_DOUBLE_EQ(metrics.at("parent_validation_ged").get<double>(), result.parentGed);
    EXPECT_EQ(engine::Model::load(result.checkpoint, "cpu")->checksum(), version->sha256);
    EXPECT_EQ(metrics.at("validation_lesions").get<int>(), 6);
    EXPECT_DOUBLE_EQ(metrics.at("gate_p_value").get<double>(), 1.0 / 64);
    EXPECT_EQ(result.outcome, review::FineTuneResult::Outcome::Promoted) << result.gate;
    EXPECT_EQ(models.active()->id, result.version);
    // Rolling back is making the parent active again.
    models.setActive(result.parent);
    EXPECT_EQ(models.active()->id, result.parent);
}

TEST_F(FineTune, AVersionThatDoesNotBeatItsParentByTheMarginIsKeptButNotActive) {
    outlineNodules(addPatient("P1", 1), db::ReviewState::Completed);
    outlineNodules(addPatient("P2", 2), db::ReviewState::Completed);
    auto options = tinyOptions(4);
    options.minimumImprovement = 5;  // GED is at most 2: no version can beat its parent by 5
    const auto result = review::runFineTune(store, model, options);
    EXPECT_EQ(result.outcome, review::FineTuneResult::Outcome::Kept);
    EXPECT_NE(result.gate.find("kept inactive"), std::string::npos) << result.gate;
    auto database = db::Database::open(store);
    db::ModelRepository models(database);
    EXPECT_EQ(models.active()->id, result.parent);
    EXPECT_FALSE(models.find(result.version)->active);
}

TEST_F(FineTune, CancelLeavesTheParentActiveAndNoVersionBehind) {
    outlineNodules(addPatient("P1", 1), db::ReviewState::Completed);
    outlineNodules(addPatient("P2", 2), db::ReviewState::Completed);
    review::FineTuneCallbacks callbacks;
    std::int64_t seen = 0;
    callbacks.progress = [&](const review::FineTuneProgress& p) { seen = p.step; };
    callbacks.cancelled = [&] { return seen >= 2; };
    auto options = tinyOptions(200);
    const auto result = review::runFineTune(store, model, options, callbacks);
    EXPECT_EQ(result.outcome, review::FineTuneResult::Outcome::Cancelled);
    auto database = db::Database::open(store);
    db::ModelRepository models(database);
    EXPECT_EQ(models.active()->id, result.parent);
    EXPECT_EQ(models.all().size(), 1U) << "a cancelled job registered a version";
    EXPECT_EQ(models.findJob(1)->state, db::JobState::Cancelled);
    EXPECT_TRUE(fs::is_empty(options.versionsFolder)) << "a cancelled job left its checkpoint";
}

TEST_F(FineTune, CancelDuringAValidationPassStopsItThereAndKeepsTheParent) {
    outlineNodules(addPatient("P1", 1), db::ReviewState::Completed);
    outlineNodules(addPatient("P2", 2), db::ReviewState::Completed);
    const auto expectCancelledCleanly = [&](const review::FineTuneResult& result, db::RowId job,
                                            const std::string& versions) {
        EXPECT_EQ(result.outcome, review::FineTuneResult::Outcome::Cancelled);
        auto database = db::Database::open(store);
        db::ModelRepository models(database);
        EXPECT_EQ(models.active()->id, result.parent);
        EXPECT_EQ(models.all().size(), 1U) << "a cancelled job registered a version";
        EXPECT_EQ(models.findJob(job)->state, db::JobState::Cancelled);
        EXPECT_TRUE(fs::is_empty(versions)) << "a cancelled job left its checkpoint";
    };
    // In the parent's pass, before training: the pass stops at its second case.
    {
        review::FineTuneCallbacks callbacks;
        int asked = 0;
        std::vector<std::int64_t> scored;
        bool trained = false;
        callbacks.cancelled = [&] { return ++asked > 1; };
        callbacks.validation = [&](std::int64_t step, double) { scored.push_back(step); };
        callbacks.progress = [&](const review::FineTuneProgress&) { trained = true; };
        const auto options = tinyOptions(6);
        const auto result = review::runFineTune(store, model, options, callbacks);
        EXPECT_EQ(asked, 2) << "the pass went on after the cancel";
        EXPECT_TRUE(scored.empty()) << "a cut pass reported a GED";
        EXPECT_FALSE(trained);
        expectCancelledCleanly(result, 1, options.versionsFolder);
    }
    // In the last pass, after the last step: the weights are not judged on an old score.
    {
        review::FineTuneCallbacks callbacks;
        std::int64_t seen = 0;
        std::vector<std::int64_t> scored;
        callbacks.progress = [&](const review::FineTuneProgress& p) { seen = p.step; };
        callbacks.cancelled = [&] { return seen >= 6; };
        callbacks.validation = [&](std::int64_t step, double) { scored.push_back(step); };
        const auto options = tinyOptions(6);
        const auto result = review::runFineTune(store, model, options, callbacks);
        EXPECT_EQ(seen, 6);
        EXPECT_EQ(scored, std::vector<std::int64_t>{0})
            << "the last pass reported a GED after the cancel";
        expectCancelledCleanly(result, 2, options.versionsFolder);
    }
}

TEST_F(FineTune, ADivergingRunFailsItsJobAndKeepsTheParent) {
    outlineNodules(addPatient("P1", 1), db::ReviewState::Completed);
    outlineNodules(addPatient("P2", 2), db::ReviewState::Completed);
    auto options = tinyOptions(60);
    options.learningRate = 50;
    EXPECT_THROW(review::runFineTune(store, model, options), engine::Error);
    auto database = db::Database::open(store);
    db::ModelRepository models(database);
    const auto job = models.findJob(1);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->state, db::JobState::Failed);
    EXPECT_NE(job->metricsJson.find("learning rate"), std::string::npos) << job->metricsJson;
    EXPECT_EQ(models.all().size(), 1U);
    EXPECT_TRUE(models.active());
}
