// A fine-tune of the active model on the store's finished multi-expert lesions,
// recorded as a training job and a new model version.

#include "flowseg/review/fine_tune.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "flowseg/common/provenance.h"
#include "flowseg/common/user_folders.h"
#include "flowseg/db/database.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/engine/error.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/review/promotion_gate.h"

namespace flowseg::review {

namespace fs = std::filesystem;

std::optional<std::vector<double>> validationGeds(std::shared_ptr<const engine::Model> model,
                                                  const std::vector<common::MultiRaterCase>& cases,
                                                  int samples, std::uint64_t seed,
                                                  const std::function<bool()>& cancelled) {
    if (cases.empty()) throw std::invalid_argument("validationGed needs at least one case");
    const engine::Sampler sampler(std::move(model));
    auto options = engine::SamplingOptions::fastDefault();
    options.samples = std::max(2, samples);
    std::vector<double> out;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (cancelled && cancelled()) return std::nullopt;
        options.seed = seed + i;  // the same noise for every model scored on these cases
        out.push_back(engine::generalizedEnergyDistance(
            sampler.sample(cases[i].image, options).masks, cases[i].experts));
    }
    return out;
}

std::string defaultVersionsFolder(const std::string& storeLocation) {
    if (db::Database::isServerLocation(storeLocation))
        return (fs::path(common::userDataFolder()) / "model-versions").string();
    return storeLocation + ".models";
}

std::optional<double> validationGed(std::shared_ptr<const engine::Model> model,
                                    const std::vector<common::MultiRaterCase>& cases, int samples,
                                    std::uint64_t seed, const std::function<bool()>& cancelled) {
    const auto geds = validationGeds(std::move(model), cases, samples, seed, cancelled);
    if (!geds) return std::nullopt;
    return std::accumulate(geds->begin(), geds->end(), 0.0) / static_cast<double>(geds->size());
}

namespace {

std::string labelOf(const db::ModelRecord& record) {
    return record.label.empty() ? fs::path(record.path).filename().string() : record.label;
}

/// The parent as a store version (registered on first use; the active one when
/// the store has none yet).
db::ModelRecord parentRecord(db::ModelRepository& models, const engine::Model& parent) {
    if (auto found = models.findBySha256(parent.checksum())) return *found;
    db::ModelRecord record;
    record.path = parent.source();
    record.sha256 = parent.checksum();
    record.preset = parent.provenance().preset.empty() ? "custom" : parent.provenance().preset;
    record.label = fs::path(parent.source()).filename().string();
    record.id = models.registerModel(record);
    if (!models.active()) models.setActive(record.id);
    return *models.find(record.id);
}

}  // namespace

db::RowId recordTrainedVersion(const std::string& storePath, const std::string& checkpoint,
                               const std::string& parentCheckpoint,
                               const std::string& parametersJson, const std::string& metricsJson) {
    const auto model = engine::Model::load(checkpoint, "cpu");
    auto database = db::Database::open(storePath);
    db::ModelRepository models(database);
    std::optional<db::ModelRecord> parent;
    if (!parentCheckpoint.empty())
        parent = parentRecord(models, *engine::Model::load(parentCheckpoint, "cpu"));
    db::TrainingJobRecord job;
    job.state = db::JobState::Running;
    if (parent) job.baseModelId = parent->id;
    job.parametersJson = parametersJson;
    const auto jobId = models.createJob(job);
    db::ModelRecord record;
    record.path = fs::absolute(checkpoint).string();
    record.sha256 = model->checksum();
    record.preset = model->provenance().preset.empty() ? "custom" : model->provenance().preset;
    if (parent) record.parentId = parent->id;
    record.trainingJobId = jobId;
    record.metricsJson = metricsJson;
    record.label = "trained " + fs::path(checkpoint).filename().string() +
                   (parent ? " from " + labelOf(*parent) : "");
    const auto id = models.registerModel(record);
    models.finishJob(jobId, db::JobState::Completed, metricsJson);
    return id;
}

FineTuneResult runFineTune(const std::string& storePath, const std::string& parentModel,
                           const FineTuneOptions& options, const FineTuneCallbacks& callbacks) {
    const auto started = std::chrono::steady_clock::now();
    const auto say = [&](const std::string& line) {
        if (callbacks.log) callbacks.log(line);
    };
    if (options.versionsFolder.empty())
        throw std::invalid_argument(
            "fine-tuning needs a folder for its model versions (FineTuneOptions::versionsFolder)");
    if (options.steps < 1) throw std::invalid_argument("fine-tuning needs at least one step");
    auto database = db::Database::open(storePath);
    db::ModelRepository models(database);
    const std::shared_ptr<const engine::Model> parent =
        engine::Model::load(parentModel, options.device);
    // The cases first: a refused fine-tune writes nothing to the store.
    const auto cases =
        fineTuneCases(database, static_cast<int>(parent->options().image_size()), options);
    const auto parentRow = parentRecord(models, *parent);
    for (const auto& skipped : cases.skipped) say("Left out " + skipped);

    nlohmann::json parameters{{"steps", options.steps},
                              {"learning_rate", options.learningRate},
                              {"batch_size", options.batchSize},
                              {"seed", options.seed},
                              {"parent", parentRow.id},
                              {"split_by", cases.splitBy},
                              {"train_lesions", cases.trainLesions},
                              {"validation_lesions", cases.validationLesions},
                              {"validation_patients", cases.validationPatients},
                              {"train_cases", cases.train.size()},
                              {"validation_cases", cases.validation.size()},
                              {"validation_samples", options.validationSamples}};
    db::TrainingJobRecord jobRecord;
    jobRecord.state = db::JobState::Running;
    jobRecord.baseModelId = parentRow.id;
    jobRecord.parametersJson = parameters.dump();
    const auto job = models.createJob(jobRecord);
    fs::create_directories(options.versionsFolder);
    const auto checkpoint =
        (fs::path(options.versionsFolder) / ("fine-tune-job" + std::to_string(job) + ".fsm"))
            .string();

    FineTuneResult result;
    result.parent = parentRow.id;
    result.trainCases = static_cast<int>(cases.train.size());
    result.validationCases = static_cast<int>(cases.validation.size());
    result.validationPatients = cases.validationPatients;
    const auto fail = [&](db::JobState state, const std::string& reason) {
        std::error_code ignored;
        fs::remove(checkpoint, ignored);
        if (!reason.empty()) models.updateJob(job, state, 0, reason);
        models.finishJob(job, state,
                         reason.empty() ? "{}" : nlohmann::json{{"error", reason}}.dump());
    };
    try {
        const std::string summary = std::to_string(cases.train.size()) + " slices of " +
                                    std::to_string(cases.trainLesions.size()) +
                                    " lesions to train on, " +
                                    std::to_string(cases.validation.size()) + " slices of " +
                                    std::to_string(cases.validationLesions.size()) +
                                    " lesions to validate with (split by " + cases.splitBy + ")";
        say("Fine-tune job " + std::to_string(job) + " of " + labelOf(parentRow) + ": " + summary);
        models.updateJob(job, db::JobState::Running, 0, summary);
        const auto cancelledAt = [&](std::int64_t step) {
            fail(db::JobState::Cancelled, "cancelled at step " + std::to_string(step));
            say("Fine-tune job " + std::to_string(job) + " cancelled; " + labelOf(parentRow) +
                " stays active");
            result.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            result.outcome = FineTuneResult::Outcome::Cancelled;
            return result;
        };
        const auto mean = [](const std::vector<double>& v) {
            return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
        };
        const auto parentGeds = validationGeds(parent, cases.validation, options.validationSamples,
                                               options.seed, callbacks.cancelled);
        if (!parentGeds) return cancelledAt(0);
        result.parentGed = mean(*parentGeds);
        say("Validation GED of " + labelOf(parentRow) + ": " + std::to_string(result.parentGed));
        if (callbacks.validation) callbacks.validation(0, result.parentGed);

        engine::TrainingOptions t;
        // A distilled student fine-tunes the teacher it carries (the flow; the
        // version made samples with the full sampler until it is distilled again).
        t.network = parent->options();
        t.network->student_steps(0);
        t.preset = parentRow.preset;
        t.iterations = options.steps;
        t.batchSize = options.batchSize;
        t.learningRate = options.learningRate;
        t.lrDecayStart = static_cast<std::int64_t>(0.7 * static_cast<double>(options.steps));
        t.seed = options.seed;
        t.device = options.device;
        // An average over about the last tenth of the run (0.999 would keep a short
        // fine-tune's EMA mostly its parent's weights).
        t.emaDecay = std::min(0.999, 1.0 - 10.0 / static_cast<double>(options.steps));
        t.intensityJitter = 0.1;  // as the shipped model was trained (docs/ENGINE.md)
        t.initFrom = parentModel;
        t.checkpointPath = checkpoint;
        t.evaluateEvery = options.evaluateEvery;
        t.divergenceFactor = 10;
        t.logEvery =
            std::max<int>(1, static_cast<int>(std::min<std::int64_t>(10, options.steps / 10)));
        t.datasetDescription =
            "store " + fs::path(database.path()).filename().string() + ": " + summary;
        t.command =
            "fine-tune job " + std::to_string(job) + " of model " + std::to_string(parentRow.id);
        engine::Trainer trainer(cases.train, t);
        double childGed = result.parentGed;
        std::vector<double> childGeds = *parentGeds;
        bool validationCut = false;  // a cancel during a validation pass
        engine::TrainingCallbacks tc;
        tc.cancelled = callbacks.cancelled;
        tc.paused = callbacks.paused;
        tc.progress = [&](const engine::TrainingProgress& p) {
            FineTuneProgress out{
                p.step, p.totalSteps, p.loss, p.iterationsPerSecond,
                static_cast<double>(p.totalSteps - p.step) / std::max(p.iterationsPerSecond, 1e-9)};
            models.updateJob(job, db::JobState::Running,
                             static_cast<double>(p.step) / static_cast<double>(p.totalSteps));
            if (callbacks.progress) callbacks.progress(out);
        };
        tc.evaluate = [&](std::int64_t step) {
            const auto geds =
                validationGeds(trainer.currentModel(options.device), cases.validation,
                               options.validationSamples, options.seed, callbacks.cancelled);
            if (!geds) {
                validationCut = true;  // the trainer sees the cancel before its next step
                return;
            }
            childGeds = *geds;
            childGed = mean(childGeds);
            models.updateJob(
                job, db::JobState::Running,
                static_cast<double>(step) / static_cast<double>(options.steps),
                "step " + std::to_string(step) + ": validation GED " + std::to_string(childGed));
            if (callbacks.validation) callbacks.validation(step, childGed);
        };
        const auto outcome = trainer.run(tc);
        // Cancelled during training, or during the last validation pass (the
        // version would be judged on an older score): the parent stays.
        if (!outcome.completed || validationCut) return cancelledAt(outcome.steps);
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        result.ged = childGed;
        result.checkpoint = checkpoint;
        result.checksum = outcome.sha256;
        const auto lesions = cases.validationLesions.size();
        const auto gate =
            decidePromotion(perLesionMeans(*parentGeds, cases.validationLesionOfCase, lesions),
                            perLesionMeans(childGeds, cases.validationLesionOfCase, lesions),
                            options.minimumImprovement, options.gateAlpha);
        result.pValue = gate.pValue;
        result.gate = gate.reason;
        const nlohmann::json metrics{{"validation_ged", result.ged},
                                     {"parent_validation_ged", result.parentGed},
                                     {"validation_lesions", gate.lesions},
                                     {"gate_minimum_improvement", options.minimumImprovement},
                                     {"gate_alpha", options.gateAlpha},
                                     {"gate_p_value", gate.pValue},
                                     {"gate", gate.reason},
                                     {"validation_cases", result.validationCases},
                                     {"train_cases", result.trainCases},
                                     {"steps", outcome.steps},
                                     {"final_loss", outcome.finalLoss},
                                     {"seconds", result.seconds}};
        db::ModelRecord child;
        child.path = checkpoint;
        child.sha256 = outcome.sha256;
        child.preset = parentRow.preset;
        child.parentId = parentRow.id;
        child.trainingJobId = job;
        child.metricsJson = metrics.dump();
        child.label = "fine-tune " + std::to_string(job) + " of " + labelOf(parentRow);
        result.version = models.registerModel(child);
        const bool better = gate.promote;
        if (better) models.setActive(result.version);
        result.outcome = better ? FineTuneResult::Outcome::Promoted : FineTuneResult::Outcome::Kept;
        models.updateJob(job, db::JobState::Completed, 1,
                         "validation GED " + std::to_string(result.ged) + " against the parent's " +
                             std::to_string(result.parentGed) + "; the gate: " + gate.reason);
        models.finishJob(job, db::JobState::Completed, metrics.dump());
        say(child.label + ": validation GED " + std::to_string(result.ged) + " (parent " +
            std::to_string(result.parentGed) + "); " + gate.reason);
        return result;
    } catch (const std::exception& error) {
        fail(db::JobState::Failed, error.what());
        throw;
    }
}

}  // namespace flowseg::review
