// The store's finished multi-expert lesions as training cases for a fine-tune.

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/series.h"
#include "flowseg/imaging/patient_split.h"
#include "flowseg/review/fine_tune.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/series_locator.h"

namespace flowseg::review {

namespace {

struct Candidate {
    db::LesionRecord lesion;
    db::SeriesRecord series;
    std::string patient;
    std::vector<db::AnnotationVersionRecord> outlines;  // newest version of each (expert, slice)
    bool imported = false;  // every outline is a reader's finished read from another tool
};

/// Finished: marked Completed, two of its experts completed their own review, or
/// all its outlines are imported reads (LIDC XML, SEG: finished elsewhere).
bool finished(db::Database& reader, const db::LesionRecord& lesion,
              const std::set<db::RowId>& experts, bool imported) {
    if (lesion.state == db::ReviewState::Completed || imported) return true;
    db::LesionRepository lesions(reader);
    const auto done = std::count_if(experts.begin(), experts.end(), [&](db::RowId expert) {
        return lesions.expertState(lesion.id, expert) == db::ReviewState::Completed;
    });
    return done >= 2;
}

std::string plural(std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

/// The series as stored, loaded from its files (the loaded series with its UID,
/// else the largest). Throws naming the series when none of its files load.
dicom::Series loadStored(db::Database& reader, const db::SeriesRecord& record) {
    // Where this workstation has it (stored paths, PACS cache, FLOWSEG_DICOM_PATH).
    const auto files = locateSeries(reader, record.id, SeriesSources::fromEnvironment()).files;
    auto load = dicom::loadFiles(files);
    std::optional<dicom::Series> best;
    for (auto& series : load.series) {
        if (series.seriesUid == record.seriesUid) return std::move(series);
        if (!best || series.depth > best->depth) best = std::move(series);
    }
    if (!best)
        throw std::runtime_error("its series' files do not load (" + std::to_string(files.size()) +
                                 " files; import the study again from where it now is)");
    return std::move(*best);
}

/// One case per outlined slice with two or more experts' masks on the crop the
/// model sees. Readers imported from another tool who did not mark a slice read
/// it as empty (the LIDC convention); an expert of this app counts on the slices
/// they saved (an erased outline is a saved empty mask).
std::vector<common::MultiRaterCase> casesOf(const Candidate& c, const dicom::Series& series,
                                            int modelSide) {
    std::set<db::RowId> experts;
    std::map<int, std::map<db::RowId, const common::Mask*>> bySlice;
    for (const auto& v : c.outlines) {
        experts.insert(v.expertId);
        bySlice[v.slice][v.expertId] = &v.mask;
    }
    std::vector<common::MultiRaterCase> out;
    for (const auto& [slice, masks] : bySlice) {
        if (slice < 0 || slice >= series.depth) continue;
        const auto crop = cropLesion(series, slice, c.lesion.box, modelSide);
        common::MultiRaterCase one;
        one.id = c.patient + "_lesion-" + std::to_string(c.lesion.id) + "_slice-" +
                 std::to_string(slice);
        one.image = crop.image;
        bool anyForeground = false;
        for (const auto expert : experts) {
            const auto found = masks.find(expert);
            if (found == masks.end() && !c.imported) continue;
            auto mask = found == masks.end() ? common::Mask(modelSide, modelSide)
                                             : maskToCrop(crop, *found->second);
            anyForeground = anyForeground || mask.area() > 0;
            one.experts.push_back(std::move(mask));
        }
        if (one.experts.size() >= 2 && anyForeground) out.push_back(std::move(one));
    }
    return out;
}

}  // namespace

FineTuneCases fineTuneCases(db::Database& reader, int modelSide, const FineTuneOptions& options) {
    db::StudyRepository studies(reader);
    db::LesionRepository lesions(reader);
    db::AnnotationRepository annotations(reader);
    std::vector<Candidate> candidates;
    for (const auto& study : studies.studies())
        for (const auto& series : studies.seriesOf(study.id))
            for (const auto& lesion : lesions.ofSeries(series.id)) {
                auto outlines = annotations.latestForLesion(lesion.id);
                std::set<db::RowId> experts;
                for (const auto& v : outlines) experts.insert(v.expertId);
                if (experts.size() < 2) continue;
                const bool imported = std::all_of(
                    outlines.begin(), outlines.end(),
                    [](const auto& v) { return v.source == db::AnnotationSource::Imported; });
                if (!finished(reader, lesion, experts, imported)) continue;
                candidates.push_back({lesion, series,
                                      study.patientId.empty() ? study.studyUid : study.patientId,
                                      std::move(outlines), imported});
            }

    const auto needed = static_cast<std::size_t>(std::max(2, options.minimumLesions));
    const auto notEnough = [&](std::size_t have, const std::vector<std::string>& skipped) {
        std::string message =
            "fine-tuning needs " + plural(needed, "finished lesion") +
            " with two or more experts' outlines; the store has " + std::to_string(have) + " (" +
            std::to_string(needed - have) +
            " more). A lesion counts once it is marked Completed, or two of its experts have "
            "completed their own review, or its outlines are imported readers' reads.";
        for (const auto& s : skipped) message += " Left out: " + s + ".";
        return NotEnoughAnnotations(message);
    };
    if (candidates.size() < needed) throw notEnough(candidates.size(), {});

    FineTuneCases out;
    // Split by patient (never one patient in both parts); a store of one
    // patient's lesions is split by lesion instead, and says so.
    std::set<std::string> patientSet;
    for (const auto& c : candidates) patientSet.insert(c.patient);
    out.splitBy = patientSet.size() >= 2 ? "patient" : "lesion";
    const auto keyOf = [&](const Candidate& c) {
        return out.splitBy == "patient" ? c.patient : c.patient + "#" + std::to_string(c.lesion.id);
    };
    std::vector<std::string> keys;
    for (const auto& c : candidates) keys.push_back(keyOf(c));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
        return imaging::caseHash(a) < imaging::caseHash(b);
    });
    const auto share = std::clamp(options.validationShare, 0.0, 1.0);
    const auto validationCount = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::lround(share * static_cast<double>(keys.size()))), 1,
        keys.size() - 1);
    const std::set<std::string> validationKeys(keys.begin(),
                                               keys.begin() + static_cast<long>(validationCount));

    // The crops of each lesion, one series in memory at a time (a full-size CT
    // is 0.5 GB as floats): lesions are visited series by series, their crops
    // kept (small), and used below in the candidates' own order.
    std::vector<std::size_t> bySeries(candidates.size());
    std::iota(bySeries.begin(), bySeries.end(), std::size_t{0});
    std::stable_sort(bySeries.begin(), bySeries.end(), [&](std::size_t a, std::size_t b) {
        return candidates[a].series.id < candidates[b].series.id;
    });
    std::vector<std::vector<common::MultiRaterCase>> crops(candidates.size());
    std::vector<std::string> loadErrors(candidates.size());
    {
        std::optional<dicom::Series> series;
        std::optional<db::RowId> seriesId;
        std::string loadError;
        for (const auto index : bySeries) {
            const auto& c = candidates[index];
            if (seriesId != c.series.id) {
                series.reset();  // the previous volume goes before the next is read
                seriesId = c.series.id;
                loadError.clear();
                try {
                    series = loadStored(reader, c.series);
                } catch (const std::exception& error) {
                    loadError = error.what();
                }
            }
            if (series)
                crops[index] = casesOf(c, *series, modelSide);
            else
                loadErrors[index] = loadError;
        }
    }
    std::set<std::string> validationPatients;
    for (std::size_t index = 0; index < candidates.size(); ++index) {
        const auto& c = candidates[index];
        if (!loadErrors[index].empty()) {
            out.skipped.push_back("lesion " + std::to_string(c.lesion.id) + " (" + c.lesion.label +
                                  "): " + loadErrors[index]);
            continue;
        }
        auto cases = std::move(crops[index]);
        if (cases.empty()) {
            out.skipped.push_back("lesion " + std::to_string(c.lesion.id) + " (" + c.lesion.label +
                                  "): no slice with two experts' outlines");
            continue;
        }
        const bool validation = validationKeys.count(keyOf(c)) > 0;
        auto& target = validation ? out.validation : out.train;
        for (auto& one : cases) {
            target.push_back(std::move(one));
            if (validation) out.validationLesionOfCase.push_back(out.validationLesions.size());
        }
        (validation ? out.validationLesions : out.trainLesions).push_back(c.lesion.id);
        if (validation) validationPatients.insert(c.patient);
    }
    const auto kept = out.trainLesions.size() + out.validationLesions.size();
    if (kept < needed) throw notEnough(kept, out.skipped);
    if (out.trainLesions.empty() || out.validationLesions.empty())
        throw NotEnoughAnnotations(
            "fine-tuning needs finished lesions both to train on and to validate with; after "
            "leaving out lesions that no longer load, one side is empty (finish one more "
            "lesion of another patient)");
    out.validationPatients.assign(validationPatients.begin(), validationPatients.end());
    return out;
}

}  // namespace flowseg::review
