#include "flowseg/review/study_import.h"

#include <filesystem>
#include <map>
#include <stdexcept>

#include "flowseg/db/study_repository.h"

namespace fs = std::filesystem;

namespace flowseg::review {

ImportSummary registerStudyFolder(db::Database& database, const std::string& folder) {
    const auto scan = dicom::scanFolder(folder);
    if (scan.instances.empty())
        throw std::runtime_error("no DICOM images found below '" + folder + "' (" +
                                 std::to_string(scan.skipped.size()) + " files skipped)");
    db::StudyRepository studies(database);
    std::map<std::string, db::RowId> studyIds, seriesIds;
    ImportSummary summary;
    database.transaction([&] {
        for (const auto& h : scan.instances) {
            if (!studyIds.count(h.studyUid))
                studyIds[h.studyUid] = studies.upsertStudy(
                    {0, h.studyUid, h.patientId, h.patientName, h.studyDate, h.studyDescription});
            if (!seriesIds.count(h.seriesUid)) {
                seriesIds[h.seriesUid] = studies.upsertSeries(
                    {0, studyIds[h.studyUid], h.seriesUid, h.modality, h.seriesDescription,
                     fs::absolute(folder).string()});
                summary.seriesIds.push_back(seriesIds[h.seriesUid]);
            }
            studies.upsertImage({0, seriesIds[h.seriesUid], h.sopUid, h.instanceNumber, h.slicePosition,
                                 fs::absolute(h.path).string()});
        }
    });
    summary.studies = studyIds.size();
    summary.series = seriesIds.size();
    summary.images = scan.instances.size();
    summary.skipped = scan.skipped;
    return summary;
}

}  // namespace flowseg::review
