#include "flowseg/review/series_locator.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/pacs_cache.h"
#include "flowseg/dicom/study_scan.h"

namespace flowseg::review {

namespace fs = std::filesystem;

SeriesSources SeriesSources::fromEnvironment() {
    SeriesSources sources;
    if (const char* path = std::getenv("FLOWSEG_DICOM_PATH")) {
        std::istringstream in(path);
        for (std::string folder; std::getline(in, folder, ':');)
            if (!folder.empty()) sources.folders.push_back(folder);
    }
    sources.pacsCache = dicom::PacsCache::defaultRoot();
    return sources;
}

namespace {

/// The images of `seriesUid` below `folder`, in slice order (empty when none).
std::vector<std::string> seriesBelow(const std::string& folder, const std::string& seriesUid) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) return {};
    for (const auto& entry : dicom::imageSeries(dicom::scanFolder(folder)))
        if (entry.seriesUid == seriesUid) return entry.files;
    return {};
}

}  // namespace

LocatedSeries locateSeries(db::Database& reader, db::RowId seriesId, const SeriesSources& sources) {
    db::StudyRepository studies(reader);
    const auto series = studies.findSeries(seriesId);
    if (!series)
        throw SeriesNotFound("the store " + reader.path() + " holds no series " +
                             std::to_string(seriesId));
    const auto study = studies.findStudy(series->studyId);
    const std::string studyUid = study ? study->studyUid : std::string();
    const auto say = [&](const std::string& where) {
        if (sources.progress) sources.progress(where);
    };

    std::vector<std::string> stored;
    std::size_t present = 0;
    for (const auto& image : studies.imagesOf(seriesId)) {
        stored.push_back(image.filePath);
        std::error_code error;
        if (fs::is_regular_file(image.filePath, error)) ++present;
    }
    if (!stored.empty() && present == stored.size()) return {stored, "its stored paths"};

    std::vector<std::string> looked;
    looked.push_back(stored.empty()
                         ? "the store lists no file of it"
                         : std::to_string(stored.size() - present) + " of its " +
                               std::to_string(stored.size()) +
                               " stored files are not here (first: " + stored.front() + ")");
    if (!sources.pacsCache.empty() && !studyUid.empty()) {
        say("the PACS cache");
        std::error_code error;
        if (fs::is_directory(sources.pacsCache, error)) {
            const dicom::PacsCache cache(sources.pacsCache);
            if (const auto folder = cache.find(studyUid, series->seriesUid); !folder.empty()) {
                auto files = seriesBelow(folder, series->seriesUid);
                if (!files.empty()) return {std::move(files), "the PACS cache"};
            }
        }
        looked.push_back("the PACS cache " + sources.pacsCache + " has no copy");
    }
    for (const auto& folder : sources.folders) {
        say("the folder " + folder);
        auto files = seriesBelow(folder, series->seriesUid);
        if (!files.empty()) return {std::move(files), "the folder " + folder};
    }
    if (!sources.folders.empty()) {
        std::string list;
        for (const auto& folder : sources.folders) list += (list.empty() ? "" : ", ") + folder;
        looked.push_back("the searched folders (" + list + ") do not hold it");
    }
    if (sources.retrieve && !studyUid.empty()) {
        say("the PACS");
        try {
            const auto folder = sources.retrieve(studyUid, series->seriesUid);
            auto files = seriesBelow(folder, series->seriesUid);
            if (!files.empty()) return {std::move(files), "the PACS"};
            looked.push_back("the PACS sent no image of it");
        } catch (const std::exception& e) {
            looked.push_back(std::string("the PACS: ") + e.what());
        }
    } else {
        looked.push_back("no PACS is set up");
    }
    std::string message = "series " + series->seriesUid + " (" +
                          (series->description.empty() ? series->modality : series->description) +
                          ") of study " + studyUid + " is not on this workstation: ";
    for (std::size_t i = 0; i < looked.size(); ++i) message += (i ? "; " : "") + looked[i];
    message +=
        ". Open it from where it is (File > Open DICOM folder, or the PACS browser), add the "
        "folder that holds it to File > DICOM search folders or FLOWSEG_DICOM_PATH, or set up "
        "the PACS";
    throw SeriesNotFound(message);
}

}  // namespace flowseg::review
