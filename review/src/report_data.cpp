#include "flowseg/review/report_data.h"

#include <filesystem>
#include <random>
#include <set>
#include <stdexcept>

#include "flowseg/common/installation_secret.h"
#include "flowseg/common/provenance.h"
#include "flowseg/common/sha256.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/deidentify.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"
#include "flowseg/review/model_fitness.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/version.h"

namespace flowseg::review {

db::StudyRecord deidentify(const db::StudyRecord& study, const std::string& uidKey) {
    db::StudyRecord out = study;
    out.patientName = "Anonymized";
    out.patientId = dicom::pseudonymOf(study.patientId, common::installationSecret());
    out.studyDate.clear();
    out.description.clear();
    if (!uidKey.empty()) out.studyUid = dicom::replacementUid(study.studyUid, uidKey);
    return out;
}

namespace {

/// The run's stored outputs as a result on its crop of the series.
LesionResult storedResult(db::Database& reader, const db::LesionRecord& lesion,
                          const db::SamplingRunRecord& run, const dicom::Series& series) {
    const auto outputs = db::RunRepository(reader).outputsOf(run.id);
    if (outputs.samples.empty())
        throw std::runtime_error("run " + std::to_string(run.id) + " holds no sample");
    LesionResult r;
    r.box = {lesion.box, run.slice};
    r.crop = cropLesion(series, run.slice, lesion.box, outputs.samples.front().width);
    r.result.masks = outputs.samples;
    r.result.maps = {outputs.probability, outputs.variance, outputs.entropy};
    r.result.seconds = run.durationSeconds;
    r.result.device = run.device;
    r.options.solver = engine::parseSolver(run.solver);
    r.options.steps = run.steps;
    r.options.guidance = run.guidance;
    r.options.samples = run.samples;
    r.options.seed = static_cast<std::uint64_t>(run.seed);
    r.options.chainsEnd = run.chainsEnd;
    // A nodule run kept every slice it spans: the samples there, as they were drawn.
    auto others = db::RunRepository(reader).sliceOutputsOf(run.id);
    if (!others.empty()) {
        others[run.slice] = outputs;
        for (auto& [slice, o] : others) {
            SliceSamples s;
            s.crop = slice == run.slice
                         ? r.crop
                         : cropLesion(series, slice, lesion.box, outputs.samples.front().width);
            s.result.masks = std::move(o.samples);
            s.result.maps = {std::move(o.probability), std::move(o.variance), std::move(o.entropy)};
            r.slices.push_back(std::move(s));
        }
        r.coherent = run.coherent;
    }
    return r;
}

/// Re-runs the stored run with its model, settings and seed: its trajectory, and
/// whether it gives the stored masks again. Returns a note when it cannot.
std::string rerun(ReportLesion& r, const ReportOptions& options, const dicom::Series& series) {
    if (!r.model) return "its model is not in the store";
    if (!std::filesystem::exists(r.model->path))
        return "its model file " + r.model->path + " is not on this machine";
    std::shared_ptr<engine::Model> model;
    try {
        model = engine::Model::load(r.model->path, options.device);
    } catch (const std::exception& e) {
        return std::string("its model could not be loaded: ") + e.what();
    }
    if (model->checksum() != r.model->sha256)
        return "the file " + r.model->path + " is no longer the model of the run";
    auto& stored = *r.result;
    auto settings = stored.options;
    settings.trajectoryEvery = settings.trajectoryStride();
    engine::SamplingCallbacks callbacks;
    callbacks.trajectory = [&](const engine::TrajectoryFrame& frame) {
        stored.trajectory.push_back(frame);
    };
    const auto again = engine::Sampler(model).sample(stored.crop.image, settings, callbacks);
    r.reproduced = again.masks == stored.result.masks;
    if (options.wholeNodule && stored.slices.size() <= 1) {
        // A run that kept its key slice only: the nodule from the run's slice, with
        // its model, settings and seed (its key slice's samples are the run's own).
        settings.trajectoryEvery = 0;
        const auto range = noduleRange(r.outlines, stored.crop.slice, series.depth);
        auto nodule = sampleNodule(model, series, r.lesion.box, range, settings);
        stored.slices = std::move(nodule.slices);
        stored.coherent = nodule.coherent;
        r.nodule = measureNodule(stored.slices, spacingOf(series));
    }
    return {};
}

}  // namespace

StudyReport gatherStudyReport(db::Database& reader, const std::string& studyUid,
                              const dicom::Series& series, const ReportOptions& options) {
    db::StudyRepository studies(reader);
    std::optional<db::StudyRecord> study;
    for (const auto& s : studies.studies())
        if (s.studyUid == studyUid) study = s;
    if (!study) throw std::runtime_error("the store does not hold study " + studyUid);
    const auto seriesRecord = studies.seriesByUid(series.seriesUid);
    if (!seriesRecord || seriesRecord->studyId != study->id)
        throw std::runtime_error("series " + series.seriesUid + " is not a series of study " +
                                 studyUid + " in the store");
    StudyReport report;
    if (options.deidentify && options.replaceUids) {
        // One random key per report: its exports share one set of replacement UIDs.
        std::random_device random;
        for (int i = 0; i < 32; ++i) report.uidKey += static_cast<char>(random() & 0xffU);
    }
    report.study = options.deidentify ? deidentify(*study, report.uidKey) : *study;
    report.deidentified = options.deidentify;
    report.seriesUid = report.uidKey.empty()
                           ? series.seriesUid
                           : dicom::replacementUid(series.seriesUid, report.uidKey);
    report.seriesDescription = options.deidentify ? std::string() : series.seriesDescription;
    report.spacing = spacingOf(series);
    for (const auto& note : checkModelFitness(series)) report.modelCautions.push_back(note.message);
    report.appVersion = FLOWSEG_VERSION;
    report.createdAt = common::utcNow();
    std::set<std::string> reviewers;
    for (const auto& lesion : db::LesionRepository(reader).ofSeries(seriesRecord->id)) {
        ReportLesion r;
        r.lesion = lesion;
        r.outlines.load(reader, lesion.id);
        for (const auto* layer : r.outlines.layers()) reviewers.insert(layer->expert.name);
        const auto runs = db::RunRepository(reader).runsOfLesion(lesion.id);
        if (!runs.empty()) {
            r.run = runs.back();
            r.model = db::ModelRepository(reader).find(r.run->modelId);
            r.result = storedResult(reader, lesion, *r.run, series);
            if (options.resample)
                r.resampleNote = rerun(r, options, series);
            else
                r.resampleNote = "not re-run (asked not to)";
            if (!r.nodule && options.wholeNodule && r.result->slices.size() > 1)
                r.nodule = measureNodule(r.result->slices, spacingOf(series));
            const double cropPixelMm2 = r.result->crop.scale() * r.result->crop.scale() *
                                        report.spacing.row * report.spacing.column;
            for (const float p : r.result->result.maps.probability.pixels)
                r.probabilityWeightedVolumeMm3 += p * cropPixelMm2 * report.spacing.slice;
        }
        r.agreement = computeAgreement(r.outlines, r.result ? &*r.result : nullptr, series.width,
                                       series.height, report.spacing);
        report.lesions.push_back(std::move(r));
    }
    report.reviewers.assign(reviewers.begin(), reviewers.end());
    return report;
}

}  // namespace flowseg::review
