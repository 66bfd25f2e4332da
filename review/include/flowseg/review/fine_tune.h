#pragma once
// Fine-tuning the model on the experts' own annotations in the store, as one job
// the window (a task) and `flowseg finetune` run alike: the store's completed
// lesions with two or more experts become training cases (one per outlined
// slice, every expert's outline on the crop the model sees, one expert drawn per
// example as in training), a validation part is held out by patient, the parent
// model is trained further on its own copy, both are scored on the validation
// lesions, and the result is a new model version in the store — active only when
// it beats its parent. A cancelled or failed job leaves the parent active and
// the store consistent. Plain C++.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "flowseg/common/types.h"
#include "flowseg/db/records.h"

namespace flowseg::engine {
class Model;
}

namespace flowseg::db {
class Database;
}

namespace flowseg::review {

/// Not enough completed multi-expert lesions to fine-tune; says how many more.
class NotEnoughAnnotations : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct FineTuneOptions {
    std::int64_t steps = 300;
    /// Measured on real LIDC lesions (docs/BENCHMARKS.md, the site experiments).
    double learningRate = 3e-4;
    std::int64_t batchSize = 8;
    std::uint64_t seed = 1;
    std::string device = "auto";    ///< cpu, cuda or auto (CUDA when there is one)
    int minimumLesions = 4;         ///< completed lesions with two or more experts, all patients
    double validationShare = 0.25;  ///< of the patients (at least one, and one left to train on)
    std::int64_t evaluateEvery =
        0;  ///< steps between validation GEDs during training (0 = start and end only)
    int validationSamples = 8;  ///< M when scoring on the validation lesions
    /// The new version becomes active only when its validation GED, averaged over
    /// the held-out lesions, is below its parent's by more than this (0: any
    /// improvement) and a paired test over those lesions shows it at `gateAlpha`
    /// (promotion_gate.h). Stewards promote by hand too.
    double minimumImprovement = 0;
    double gateAlpha = 0.05;
    std::string versionsFolder;  ///< where new versions are written (created)
};

/// One lesion's cases, with where they came from.
struct FineTuneCases {
    std::vector<common::MultiRaterCase> train;
    std::vector<common::MultiRaterCase> validation;
    std::vector<db::RowId> trainLesions;
    std::vector<db::RowId> validationLesions;
    /// For each validation case, its lesion's index in validationLesions.
    std::vector<std::size_t> validationLesionOfCase;
    std::vector<std::string> validationPatients;
    std::vector<std::string> skipped;  ///< lesions left out, each with the reason
    /// How the lesions were split: "patient" (two or more patients) or "lesion"
    /// (all lesions of one patient: validation then shares the patient).
    std::string splitBy = "patient";
};

/// The store's completed lesions with two or more experts as cases of
/// `modelSide` pixels, split by patient. Loads each series from its files.
/// Throws NotEnoughAnnotations naming how many more lesions (or patients) it needs.
FineTuneCases fineTuneCases(db::Database& reader, int modelSide, const FineTuneOptions& options);

struct FineTuneProgress {
    std::int64_t step = 0;
    std::int64_t steps = 0;
    double loss = 0;
    double stepsPerSecond = 0;
    double secondsLeft = 0;
};

struct FineTuneCallbacks {
    std::function<void(const FineTuneProgress&)> progress;
    /// The validation GED of the weights at `step` (step 0: the parent).
    std::function<void(std::int64_t step, double ged)> validation;
    std::function<bool()> cancelled;
    std::function<bool()> paused;
    std::function<void(const std::string&)> log;
};

struct FineTuneResult {
    enum class Outcome { Promoted, Kept, Cancelled } outcome = Outcome::Kept;
    db::RowId version = 0;  ///< the new version's model id (0 when cancelled)
    db::RowId parent = 0;
    std::string checkpoint;  ///< its file
    std::string checksum;
    double parentGed = 0;  ///< on the validation lesions
    double ged = 0;
    double pValue = 1;  ///< the gate's paired test over the validation lesions
    std::string gate;   ///< the gate's decision in words
    int trainCases = 0;
    int validationCases = 0;
    std::vector<std::string> validationPatients;  ///< the patients held out for the gate
    double seconds = 0;
};

/// Runs a fine-tune of `parentModel` (a checkpoint file) on the store at
/// `storePath` (its own connection: run it on any thread). Throws
/// NotEnoughAnnotations, or engine::Error when training diverges (the parent
/// stays active; the job is recorded as failed with the reason).
FineTuneResult runFineTune(const std::string& storePath, const std::string& parentModel,
                           const FineTuneOptions& options, const FineTuneCallbacks& callbacks = {});

/// Where fine-tuned versions of the store at `storeLocation` are written by
/// default: `<file>.models` beside an SQLite store; for a server store (which
/// keeps each version's file itself) this user's data folder, model-versions.
std::string defaultVersionsFolder(const std::string& storeLocation);

/// Records a model trained outside the window (flowseg train --db) in the store
/// at `storePath` as a version: its parent (the --init model, when given) is
/// registered too, with a completed training job holding `parametersJson` and
/// `metricsJson`. The version is not made active (flowseg models --activate, or
/// the Fine-tuning panel). Returns its id.
db::RowId recordTrainedVersion(const std::string& storePath, const std::string& checkpoint,
                               const std::string& parentCheckpoint,
                               const std::string& parametersJson, const std::string& metricsJson);

/// The validation GED of a model on cases (the app's fast default with M samples).
/// `cancelled` is asked before each case: when it answers true the pass stops
/// there and the result is empty (a cancel never waits for a whole pass).
/// The same, per case (in the order of `cases`).
std::optional<std::vector<double>> validationGeds(std::shared_ptr<const engine::Model> model,
                                                  const std::vector<common::MultiRaterCase>& cases,
                                                  int samples, std::uint64_t seed = 0,
                                                  const std::function<bool()>& cancelled = {});
std::optional<double> validationGed(std::shared_ptr<const engine::Model> model,
                                    const std::vector<common::MultiRaterCase>& cases, int samples,
                                    std::uint64_t seed = 0,
                                    const std::function<bool()>& cancelled = {});

}  // namespace flowseg::review
