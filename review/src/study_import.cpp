#include "flowseg/review/study_import.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "flowseg/db/study_repository.h"

namespace fs = std::filesystem;

namespace flowseg::review {

namespace {

/// The folder that holds every one of `files` (their deepest common parent).
std::string commonFolder(const std::vector<std::string>& files) {
    if (files.empty()) return {};
    fs::path common = fs::absolute(files.front()).parent_path();
    for (const auto& file : files) {
        const auto folder = fs::absolute(file).parent_path();
        while (!common.empty() &&
               std::mismatch(common.begin(), common.end(), folder.begin(), folder.end()).first !=
                   common.end())
            common = common.parent_path();
    }
    return common.string();
}

/// One transaction over instances grouped by series (each group: its instances and its folder).
ImportSummary upsert(db::Database& database,
                     const std::vector<std::vector<dicom::InstanceHeader>>& groups) {
    db::StudyRepository studies(database);
    std::map<std::string, db::RowId> studyIds;
    ImportSummary summary;
    database.transaction([&] {
        for (const auto& group : groups) {
            if (group.empty()) continue;
            const auto& first = group.front();
            if (!studyIds.count(first.studyUid))
                studyIds[first.studyUid] =
                    studies.upsertStudy({0, first.studyUid, first.patientId, first.patientName,
                                         first.studyDate, first.studyDescription});
            std::vector<std::string> files;
            for (const auto& h : group) files.push_back(h.path);
            const auto seriesId =
                studies.upsertSeries({0, studyIds[first.studyUid], first.seriesUid, first.modality,
                                      first.seriesDescription, commonFolder(files)});
            summary.seriesIds.push_back(seriesId);
            for (const auto& h : group)
                studies.upsertImage({0, seriesId, h.sopUid, h.instanceNumber, h.slicePosition,
                                     fs::absolute(h.path).string()});
            summary.images += group.size();
        }
    });
    summary.studies = studyIds.size();
    summary.series = summary.seriesIds.size();
    return summary;
}

}  // namespace

ImportSummary registerLoadedSeries(db::Database& database,
                                   const std::vector<dicom::Series>& series) {
    std::vector<std::vector<dicom::InstanceHeader>> groups;
    for (const auto& s : series) {
        auto& group = groups.emplace_back();
        for (int z = 0; z < s.depth; ++z) {
            dicom::InstanceHeader h;
            h.path = s.files.at(static_cast<size_t>(z));
            h.patientId = s.patientId;
            h.patientName = s.patientName;
            h.studyUid = s.studyUid;
            h.studyDate = s.studyDate;
            h.studyDescription = s.studyDescription;
            h.seriesUid = s.seriesUid;
            h.modality = s.modality;
            h.seriesDescription = s.seriesDescription;
            h.sopUid = s.sopUids.at(static_cast<size_t>(z));
            if (static_cast<size_t>(z) < s.instanceNumbers.size())
                h.instanceNumber = s.instanceNumbers[static_cast<size_t>(z)];
            if (s.geometry.hasPositions)
                h.slicePosition = s.slicePositions.at(static_cast<size_t>(z));
            group.push_back(std::move(h));
        }
    }
    return upsert(database, groups);
}

ImportSummary registerStudyFolder(db::Database& database, const std::string& folder) {
    const auto scan = dicom::scanFolder(folder);
    if (scan.instances.empty())
        throw std::runtime_error("no DICOM images found below '" + folder + "' (" +
                                 std::to_string(scan.skipped.size()) + " files skipped)");
    return registerScan(database, scan);
}

ImportSummary registerScan(db::Database& database, const dicom::FolderScan& scan) {
    std::vector<std::vector<dicom::InstanceHeader>> groups;
    for (const auto& h : scan.instances) {  // sorted by series
        if (groups.empty() || groups.back().front().seriesUid != h.seriesUid) groups.emplace_back();
        groups.back().push_back(h);
    }
    auto summary = upsert(database, groups);
    summary.skipped = scan.skipped;
    return summary;
}

}  // namespace flowseg::review
