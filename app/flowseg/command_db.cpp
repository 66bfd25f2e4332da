// flowseg db: create, fill, inspect, export, check, back up and restore the store.
// The DICOM imports (import-study, import-readers) are in command_db_import.cpp.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "cli_support.h"
#include "commands.h"
#include "db_flags.h"
#include "flowseg/db/accounts.h"
#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/maintenance.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/imaging/image_io.h"

namespace flowseg::cli {

namespace {

namespace fs = std::filesystem;

void runInit(const DbFlags& f) {
    const auto db = db::Database::open(f.database, db::OpenMode::Create);
    if (f.json)
        printJson({{"database", db.path()}, {"schema_version", db.schemaVersion()}});
    else
        std::cout << "store " << db.path() << " ready (schema " << db.schemaVersion() << ")\n";
}

void runAddLesion(const DbFlags& f) {
    if (f.box.size() != 4) throw std::runtime_error("--box needs four numbers: x y width height");
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    db::LesionRecord lesion;
    lesion.seriesId = f.series;
    lesion.label = f.label;
    lesion.firstSlice = lesion.lastSlice = f.slice;
    lesion.box = {f.box[0], f.box[1], f.box[2], f.box[3]};
    const auto id = db::LesionRepository(db).create(lesion);
    if (f.json)
        printJson({{"lesion", id}});
    else
        std::cout << "lesion " << id << " created\n";
}

// Who writes: the login on a server (nobody writes as someone else), --expert
// on SQLite.
std::string signedInExpert(const db::Database& db, const DbFlags& f) {
    const auto login = db.currentUser();
    if (!login.empty() && !f.expert.empty() && f.expert != login)
        throw std::runtime_error("on a server store you annotate as your login ('" + login +
                                 "'), not as '" + f.expert +
                                 "'; sign in as that expert to write their outline");
    const std::string name = login.empty() ? f.expert : login;
    if (name.empty()) throw std::runtime_error("--expert is required on an SQLite store");
    return name;
}

void runAnnotate(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    const auto mask = imaging::readMask(f.mask);
    if (!db::LesionRepository(db).find(f.lesion))
        throw std::runtime_error("no lesion with id " + std::to_string(f.lesion) + " in '" +
                                 db.path() + "'");
    const auto name = signedInExpert(db, f);
    const auto expert = db::ExpertRepository(db).findOrCreate(name, f.role);
    const auto saved = db::AnnotationRepository(db).save(f.lesion, expert.id, f.slice, mask,
                                                         db::AnnotationSource::Manual, f.note);
    if (f.json)
        printJson({{"version_id", saved.id}, {"version", saved.version}, {"area", saved.area}});
    else
        std::cout << "saved version " << saved.version << " of " << name << "'s outline ("
                  << saved.area << " px)\n";
}

void runSetState(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    db::LesionRepository(db).setReviewState(f.lesion, db::parseReviewState(f.state));
    if (!f.json) std::cout << "lesion " << f.lesion << " is now " << f.state << "\n";
}

// The signed-in expert (the login on a server, --expert on SQLite) completes a
// lesion: in blind review, the others' outlines show from then on.
void runComplete(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    const auto name = signedInExpert(db, f);
    const auto expert = db::ExpertRepository(db).findOrCreate(name);
    const auto state = f.state.empty() ? db::ReviewState::Completed : db::parseReviewState(f.state);
    db::LesionRepository(db).setExpertState(f.lesion, expert.id, state);
    if (!f.json)
        std::cout << name << "'s review of lesion " << f.lesion << " is now " << db::toString(state)
                  << "\n";
}

nlohmann::json listing(db::Database& db) {
    db::StudyRepository studies(db);
    db::LesionRepository lesions(db);
    db::AnnotationRepository annotations(db);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& study : studies.studies()) {
        nlohmann::json s{{"id", study.id},
                         {"study_uid", study.studyUid},
                         {"patient_id", study.patientId},
                         {"patient_name", study.patientName},
                         {"study_date", study.studyDate},
                         {"series", nlohmann::json::array()}};
        for (const auto& series : studies.seriesOf(study.id)) {
            nlohmann::json r{{"id", series.id},
                             {"series_uid", series.seriesUid},
                             {"modality", series.modality},
                             {"images", studies.imagesOf(series.id).size()},
                             {"lesions", nlohmann::json::array()}};
            for (const auto& lesion : lesions.ofSeries(series.id))
                r["lesions"].push_back(
                    {{"id", lesion.id},
                     {"label", lesion.label},
                     {"review_state", db::toString(lesion.state)},
                     {"annotations", annotations.latestForLesion(lesion.id).size()}});
            s["series"].push_back(r);
        }
        out.push_back(s);
    }
    return out;
}

void runList(const DbFlags& f) {
    auto db = db::Database::open(f.database, db::OpenMode::Existing);
    const auto tree = listing(db);
    if (f.json) {
        printJson(tree);
        return;
    }
    for (const auto& s : tree) {
        std::cout << "study " << s["id"] << "  " << s["patient_name"].get<std::string>() << "  "
                  << s["study_date"].get<std::string>() << "  " << s["study_uid"].get<std::string>()
                  << "\n";
        for (const auto& r : s["series"]) {
            std::cout << "  series " << r["id"] << "  " << r["modality"].get<std::string>() << "  "
                      << r["images"] << " images\n";
            for (const auto& l : r["lesions"])
                std::cout << "    lesion " << l["id"] << "  " << l["label"].get<std::string>()
                          << "  " << l["review_state"].get<std::string>() << "  "
                          << l["annotations"] << " annotations\n";
        }
    }
}

void runExport(const DbFlags& f) {
    // A file is read only; on a server the export is recorded in the audit trail.
    const bool server = db::Database::isServerLocation(f.database);
    auto db =
        db::Database::open(f.database, server ? db::OpenMode::Existing : db::OpenMode::ReadOnly);
    db::StudyRepository studies(db);
    db::LesionRepository lesions(db);
    db::AnnotationRepository annotations(db);
    std::map<db::RowId, std::string> experts;
    for (const auto& e : db::ExpertRepository(db).all()) experts[e.id] = e.name;
    fs::create_directories(f.out);
    nlohmann::json index = nlohmann::json::array();
    for (const auto& study : studies.studies())
        for (const auto& series : studies.seriesOf(study.id))
            for (const auto& lesion : lesions.ofSeries(series.id))
                for (const auto& a : annotations.latestForLesion(lesion.id)) {
                    char name[96];
                    std::snprintf(name, sizeof name, "lesion%lld_expert%lld_slice%d_v%d.png",
                                  static_cast<long long>(lesion.id),
                                  static_cast<long long>(a.expertId), a.slice, a.version);
                    imaging::writeMask((fs::path(f.out) / name).string(), a.mask);
                    index.push_back({{"study_uid", study.studyUid},
                                     {"series_uid", series.seriesUid},
                                     {"lesion", lesion.id},
                                     {"label", lesion.label},
                                     {"review_state", db::toString(lesion.state)},
                                     {"expert", experts[a.expertId]},
                                     {"slice", a.slice},
                                     {"version", a.version},
                                     {"version_id", a.id},
                                     {"area", a.area},
                                     {"mask_sha256", a.maskSha256},
                                     {"source", db::toString(a.source)},
                                     {"created_at", a.createdAt},
                                     {"file", name}});
                }
    std::ofstream(fs::path(f.out) / "annotations.json") << index.dump(2) << "\n";
    if (server)
        db::AuditRepository(db).record("exported", "store",
                                       std::to_string(index.size()) + " annotations");
    if (f.json)
        printJson({{"out", f.out}, {"annotations", index.size()}});
    else
        std::cout << "exported " << index.size() << " annotations to " << f.out << "\n";
}

void runCheck(const DbFlags& f) {
    const auto r = db::checkDatabase(f.database);
    if (f.json) {
        printJson({{"ok", r.ok},
                   {"problems", r.problems},
                   {"schema_version", r.schemaVersion},
                   {"journal_mode", r.journalMode},
                   {"studies", r.studies},
                   {"lesions", r.lesions},
                   {"experts", r.experts},
                   {"annotation_versions", r.annotationVersions},
                   {"sampling_runs", r.samplingRuns},
                   {"models", r.models}});
    } else {
        std::cout << (r.ok ? "ok" : "PROBLEMS") << ": schema " << r.schemaVersion << ", "
                  << r.journalMode << " journal, " << r.studies << " studies, " << r.lesions
                  << " lesions, " << r.experts << " experts, " << r.annotationVersions
                  << " annotation versions, " << r.samplingRuns << " sampling runs, " << r.models
                  << " models\n";
        for (const auto& p : r.problems) std::cout << "  " << p << "\n";
    }
    if (!r.ok)
        throw std::runtime_error("integrity check of '" + f.database + "' failed (" +
                                 r.problems.front() + ")");
}

void runBackup(const DbFlags& f) {
    db::backupDatabase(f.database, f.out);
    if (!f.json) std::cout << "backed up " << f.database << " to " << f.out << "\n";
}

void runRestore(const DbFlags& f) {
    const auto saved = db::restoreDatabase(f.from, f.database);
    if (!f.json)
        std::cout << "restored " << f.database << " from " << f.from
                  << (saved.empty() ? "" : "; the previous file is kept as " + saved) << "\n";
}

}  // namespace

void addDbCommand(CLI::App& app) {
    auto f = std::make_shared<DbFlags>();
    auto* db = app.add_subcommand(
        "db", "The annotation store (an SQLite file, or a PostgreSQL server's postgresql:// URI)");
    db->require_subcommand(1);
    db->add_option("--db", f->database,
                   "store file, or postgresql://USER@HOST/DATABASE (password from PGPASSWORD or "
                   "~/.pgpass)")
        ->capture_default_str();
    db->add_flag("--json", f->json, "print JSON");
    const auto sub = [&](const char* name, const char* help, void (*run)(const DbFlags&)) {
        auto* c = db->add_subcommand(name, help);
        c->callback([f, run] { run(*f); });
        return c;
    };
    sub("init", "Create (or upgrade) a store", runInit);
    sub("import-study", "Register the DICOM studies below a folder (headers only)", runImport)
        ->add_option("folder", f->folder, "folder with DICOM files")
        ->required();
    auto* readers = sub("import-readers",
                        "Import multi-reader outlines of a DICOM series, each reader an expert: "
                        "LIDC XML, DICOM SEG "
                        "(a file or a segment per reader), or a folder case's masks onto a lesion",
                        runImportReaders);
    readers->add_option("folder", f->folder, "folder with the DICOM series the readers outlined")
        ->required();
    readers->add_option("--lidc-xml", f->lidcXml,
                        "LIDC-IDRI reader XML (nodules matched across readers)");
    readers->add_option("--seg", f->segs, "DICOM SEG files (each segment a reader)");
    readers->add_option("--case", f->caseFolder,
                        "folder case (image + mask_<expert>.png crops) of --lesion");
    readers->add_option("--lesion", f->lesion,
                        "the stored lesion (--case; --seg: add to it instead of a new one)");
    auto* lesion = sub("add-lesion", "Mark a lesion on a series", runAddLesion);
    lesion->add_option("--series", f->series, "series id")->required();
    lesion->add_option("--slice", f->slice, "slice index")->required();
    lesion->add_option("--box", f->box, "x y width height")->expected(4)->required();
    lesion->add_option("--label", f->label, "label")->capture_default_str();
    auto* annotate = sub("annotate", "Save an expert's mask as the next version", runAnnotate);
    annotate->add_option("--lesion", f->lesion, "lesion id")->required();
    annotate->add_option("--expert", f->expert,
                         "expert name (SQLite; on a server the login is the expert)");
    annotate->add_option("--role", f->role, "expert role")->capture_default_str();
    annotate->add_option("--slice", f->slice, "slice index")->required();
    annotate->add_option("--mask", f->mask, "mask image (PNG/JPEG/TIFF)")->required();
    annotate->add_option("--note", f->note, "free-text note");
    auto* state = sub("set-state", "Set a lesion's review state", runSetState);
    state->add_option("--lesion", f->lesion, "lesion id")->required();
    state->add_option("state", f->state, "not_started, in_progress, completed or flagged")
        ->required();
    auto* complete = sub("complete",
                         "The signed-in expert completes a lesion (blind review: the others' "
                         "outlines show from then on)",
                         runComplete);
    complete->add_option("--lesion", f->lesion, "lesion id")->required();
    complete->add_option("--expert", f->expert, "expert name (SQLite; on a server, the login)");
    complete->add_option("--state", f->state,
                         "the expert's state instead: in_progress, completed or flagged");
    sub("list", "Studies, series, lesions and their review state", runList);
    sub("export-annotations", "Latest version of every annotation as PNG + annotations.json",
        runExport)
        ->add_option("--out", f->out, "output folder")
        ->required();
    sub("check", "Integrity and foreign-key check, with row counts", runCheck);
    addDbUserCommand(*db, f);
    sub("backup", "Online backup to a new file", runBackup)
        ->add_option("--out", f->out, "backup file")
        ->required();
    sub("restore", "Replace the store with a verified backup (the old file is kept)", runRestore)
        ->add_option("--from", f->from, "backup file")
        ->required();
}

}  // namespace flowseg::cli
