#pragma once
// Everything the uncertainty report and the exports say about one study, read
// from the store and traceable: each lesion's experts' outlines and review
// state, its newest sampling run with its model, settings and seed (re-run to
// recover the ODE trajectory, and checked to reproduce the stored masks), the
// agreement and millimetre measures. De-identified by default (DICOM PS3.15
// basic profile for the attributes we carry). Plain C++.

#include <optional>
#include <string>
#include <vector>

#include "flowseg/db/records.h"
#include "flowseg/dicom/series.h"
#include "flowseg/review/expert_outlines.h"
#include "flowseg/review/lesion_agreement.h"
#include "flowseg/review/nodule_measures.h"
#include "flowseg/review/review_session.h"

namespace flowseg::db {
class Database;
}

namespace flowseg::review {

struct ReportOptions {
    bool deidentify = true;  ///< patient name, ID, birth date, dates and descriptions replaced
    /// With deidentify: UIDs replaced too (one consistent set per report and its
    /// exports) instead of retained; the exported SEGs then no longer reference
    /// the sender's slices.
    bool replaceUids = false;
    bool resample = true;  ///< re-run each lesion's newest run (trajectory, reproduction check)
    /// With resample: also sample each lesion as a nodule (every slice its experts
    /// outlined, growing while a sample continues) with the run's model, settings
    /// and seed, for the samples' true volumes and diameters.
    bool wholeNodule = true;
    std::string device = "cpu";
};

struct ReportLesion {
    db::LesionRecord lesion;
    ExpertOutlines outlines;
    std::optional<db::SamplingRunRecord> run;  ///< its newest stored run
    std::optional<db::ModelRecord> model;      ///< the model of that run
    std::optional<LesionResult>
        result;  ///< that run's masks and maps, its crop, and the trajectory when re-run
    std::optional<bool> reproduced;  ///< re-running gave the stored masks bit for bit
    std::string resampleNote;        ///< why it was not re-run, when it was not
    LesionAgreement agreement;
    /// Σ p · pixel area · slice spacing over the sampled slice: the samples' mean volume there.
    double probabilityWeightedVolumeMm3 = 0;
    /// The samples' volumes and diameters through the nodule (ReportOptions::wholeNodule),
    /// on `result->slices`.
    std::optional<NoduleMeasures> nodule;
};

struct StudyReport {
    db::StudyRecord study;  ///< de-identified when asked
    std::string seriesUid;
    std::string seriesDescription;
    PixelSpacing spacing;
    std::vector<ReportLesion> lesions;
    std::vector<std::string> reviewers;  ///< experts with an outline or a state, by name
    std::string appVersion;
    std::string createdAt;  ///< UTC, ISO 8601
    bool deidentified = true;
    /// The key of the replacement UIDs (ReportOptions::replaceUids); empty: UIDs retained.
    std::string uidKey;
    /// What the model was not made for (model_fitness.h): the series' modality or
    /// spacings outside what it learnt from. Empty when the series is like its data.
    std::vector<std::string> modelCautions;
};

/// A study's patient and study attributes as the basic profile leaves them:
/// name and ID replaced (the ID by dicom::pseudonymOf under this installation's
/// secret), birth date, study date and description emptied; the study UID
/// retained (so that exported SEGs still reference their slices), or replaced
/// under `uidKey` when one is given. Throws std::runtime_error when the secret
/// cannot be read or created (the message names its file).
db::StudyRecord deidentify(const db::StudyRecord& study, const std::string& uidKey = "");

/// Reads the report of study `studyUid` from the store. `series` is the study's
/// loaded series (for crop geometry and, when re-running, the model's input).
/// Throws std::runtime_error when the store does not hold the study or the series.
StudyReport gatherStudyReport(db::Database& reader, const std::string& studyUid,
                              const dicom::Series& series, const ReportOptions& options);

}  // namespace flowseg::review
