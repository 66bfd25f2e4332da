// flowseg db import-study and import-readers: DICOM studies and multi-reader
// outlines (LIDC XML, DICOM SEG, a folder case's masks) into the store.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli_support.h"
#include "db_flags.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/imaging/image_io.h"
#ifdef FLOWSEG_HAVE_DICOM
#include "flowseg/dicom/lidc_xml.h"
#include "flowseg/review/lesion_crop.h"
#include "flowseg/review/reader_import.h"
#include "flowseg/review/study_import.h"
#endif

namespace flowseg::cli {

namespace fs = std::filesystem;

void runImport(const DbFlags& f) {
#ifdef FLOWSEG_HAVE_DICOM
    auto db = db::Database::open(f.database, db::OpenMode::Create);
    const auto scan = review::registerStudyFolder(db, f.folder);
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& s : scan.skipped) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
    if (f.json) {
        printJson({{"studies", scan.studies},
                   {"series", scan.series},
                   {"images", scan.images},
                   {"skipped", skipped}});
    } else {
        std::cout << "imported " << scan.studies << " studies, " << scan.series << " series, "
                  << scan.images << " images; skipped " << scan.skipped.size() << " files\n";
        for (const auto& s : scan.skipped)
            std::cerr << "  skipped " << s.path << ": " << s.reason << "\n";
    }
#else
    (void)f;
    throw std::runtime_error("this flowseg was built without DICOM support (FLOWSEG_DICOM=OFF)");
#endif
}

#ifdef FLOWSEG_HAVE_DICOM
/// The per-expert masks of a folder case (DESIGN.md): mask*/label* files, each
/// named by its file (mask_dr-a.png -> "dr-a"), in name order.
static std::vector<std::pair<std::string, common::Mask>> caseMasks(const std::string& folder) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        const auto name = entry.path().filename().string();
        if (entry.is_regular_file() && (name.rfind("mask", 0) == 0 || name.rfind("label", 0) == 0))
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty())
        throw std::runtime_error("case folder '" + folder + "' has no mask* or label* file");
    std::vector<std::pair<std::string, common::Mask>> out;
    for (const auto& file : files) {
        auto name = file.stem().string();
        for (const char* prefix : {"mask_", "label_", "mask", "label"})
            if (name.rfind(prefix, 0) == 0 && name.size() > std::string(prefix).size()) {
                name = name.substr(std::string(prefix).size());
                break;
            }
        out.emplace_back("reader " + name, imaging::readMask(file.string()));
    }
    return out;
}
#endif

void runImportReaders(const DbFlags& f) {
#ifdef FLOWSEG_HAVE_DICOM
    const int sources =
        (f.lidcXml.empty() ? 0 : 1) + (f.segs.empty() ? 0 : 1) + (f.caseFolder.empty() ? 0 : 1);
    if (sources != 1) throw std::runtime_error("give exactly one of --lidc-xml, --seg or --case");
    std::optional<dicom::LidcDocument> lidc;
    if (!f.lidcXml.empty()) lidc = dicom::parseLidcXml(f.lidcXml);
    auto load = dicom::loadFolder(f.folder);
    if (load.series.empty())
        throw std::runtime_error("no loadable DICOM image series in '" + f.folder + "'");
    // The series the readers outlined: the LIDC document names it; else the largest.
    auto chosen = std::max_element(load.series.begin(), load.series.end(),
                                   [](const auto& a, const auto& b) { return a.depth < b.depth; });
    if (lidc && !lidc->seriesUid.empty()) {
        chosen = std::find_if(load.series.begin(), load.series.end(),
                              [&](const auto& s) { return s.seriesUid == lidc->seriesUid; });
        if (chosen == load.series.end())
            throw std::runtime_error("'" + f.folder + "' does not hold series " + lidc->seriesUid +
                                     " that '" + f.lidcXml + "' outlines");
    }
    auto db = db::Database::open(f.database, db::OpenMode::Create);
    const auto registered = review::registerLoadedSeries(db, load.series);
    const auto seriesId =
        registered.seriesIds.at(static_cast<size_t>(std::distance(load.series.begin(), chosen)));
    std::vector<review::ImportedLesion> imported;
    if (lidc) {
        int skipped = 0;
        for (const auto& lesion : review::lidcLesions(*lidc, *chosen, &skipped))
            imported.push_back(review::importReaders(db, seriesId, lesion));
        if (skipped > 0)
            std::cerr << "  " << skipped
                      << " ROIs on slices this series does not hold were skipped\n";
    } else if (!f.segs.empty()) {
        const std::optional<db::RowId> onto =
            f.lesion > 0 ? std::optional<db::RowId>(f.lesion) : std::nullopt;
        imported.push_back(
            review::importReaders(db, seriesId, review::segReaders(f.segs, *chosen), onto));
    } else {
        const auto lesion = db::LesionRepository(db).find(f.lesion);
        if (!lesion)
            throw std::runtime_error(
                "--case needs --lesion: the stored lesion whose crop the case shows");
        const auto masks = caseMasks(f.caseFolder);
        const auto crop = review::cropLesion(*chosen, lesion->firstSlice, lesion->box,
                                             masks.front().second.width);
        imported.push_back(review::importReaders(
            db, seriesId, review::cropReaders(masks, crop, chosen->width, chosen->height),
            lesion->id));
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& i : imported)
        out.push_back({{"lesion", i.lesionId},
                       {"label", i.label},
                       {"readers", i.readers},
                       {"outlines", i.outlines}});
    if (f.json) {
        printJson({{"series", seriesId}, {"lesions", out}});
        return;
    }
    for (const auto& i : imported) {
        std::cout << "lesion " << i.lesionId << " (" << i.label << "): " << i.outlines
                  << " outlines by";
        for (const auto& r : i.readers) std::cout << " '" << r << "'";
        std::cout << "\n";
    }
#else
    (void)f;
    throw std::runtime_error("this flowseg was built without DICOM support (FLOWSEG_DICOM=OFF)");
#endif
}

}  // namespace flowseg::cli
