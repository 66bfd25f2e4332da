// flowseg report: the uncertainty report of a study in the store as PDF, and its
// exports (PNG, NIfTI, DICOM SEG, CSV, JSON); `--demo` builds the real LIDC demo
// study in a store first (its four readers imported, its lesion sampled).

#include <QGuiApplication>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/engine/model.h"
#include "flowseg/render/report_writer.h"
#include "flowseg/render/study_results.h"
#include "flowseg/review/expert_outlines.h"
#include "flowseg/review/exports.h"
#include "flowseg/review/lidc_demo.h"
#include "flowseg/review/reader_import.h"
#include "flowseg/review/report_data.h"
#include "flowseg/review/run_record.h"
#include "flowseg/review/series_locator.h"
#include "flowseg/review/study_import.h"
#include "study_results.h"

namespace flowseg::cli {

namespace {

namespace fs = std::filesystem;

struct ReportFlags {
    std::string database;
    std::string study;
    std::string out;
    std::string exports;
    std::string model;
    std::string device = "cpu";
    bool demo = false;
    bool identified = false;
    bool replaceUids = false;
    bool noResample = false;
    bool json = false;
};

/// The series of `studyUid` in the store, loaded from its files (the largest one).
dicom::Series loadStudySeries(db::Database& database, const std::string& studyUid) {
    db::StudyRepository studies(database);
    for (const auto& study : studies.studies()) {
        if (study.studyUid != studyUid) continue;
        std::optional<dicom::Series> best;
        std::string missing;
        for (const auto& series : studies.seriesOf(study.id)) {
            std::vector<std::string> files;
            try {  // where this workstation has it (stored paths, PACS cache, FLOWSEG_DICOM_PATH)
                files = review::locateSeries(database, series.id,
                                             review::SeriesSources::fromEnvironment())
                            .files;
            } catch (const review::SeriesNotFound& e) {
                missing = e.what();
                continue;
            }
            for (auto& loaded : dicom::loadFiles(files).series)
                if (!best || loaded.depth > best->depth) best = std::move(loaded);
        }
        if (!best)
            throw std::runtime_error("none of study " + studyUid + "'s series loads" +
                                     (missing.empty() ? " from its files" : ": " + missing));
        return std::move(*best);
    }
    throw std::runtime_error("the store '" + database.path() + "' holds no study " + studyUid +
                             " (flowseg db list shows what it holds)");
}

/// The real LIDC demo in `store`: registered, its readers imported, its lesion
/// sampled on its key slice with the default settings. Returns its study UID.
std::string prepareDemo(const std::string& store, const std::string& modelPath,
                        const std::string& device) {
    std::error_code error;
    const auto exe = fs::read_symlink("/proc/self/exe", error);
    const auto demo = review::findLidcDemo((error ? fs::path(".") : exe.parent_path()).string());
    auto load = dicom::loadFolder(demo.ct);
    if (load.series.size() != 1)
        throw std::runtime_error("the demo study in " + demo.folder + " is not one series");
    const auto& series = load.series.front();
    auto database = db::Database::open(store, db::OpenMode::Create);
    const auto seriesId = review::registerLoadedSeries(database, load.series).seriesIds.front();
    db::LesionRepository lesions(database);
    auto existing = lesions.ofSeries(seriesId);
    if (existing.empty()) {
        review::importReaders(database, seriesId, review::segReaders({demo.readers}, series));
        existing = lesions.ofSeries(seriesId);
    }
    const auto& lesion = existing.front();
    if (db::RunRepository(database).runsOfLesion(lesion.id).empty()) {
        review::ExpertOutlines outlines;
        outlines.load(database, lesion.id);
        const int slice = outlines.keySlice();
        if (slice < 0)
            throw std::runtime_error("the demo's readers left no outline in " + demo.folder);
        const auto model = engine::Model::load(modelPath, device);
        const auto crop = review::cropLesion(series, slice, lesion.box,
                                             static_cast<int>(model->options().image_size()));
        const auto options = engine::SamplingOptions::fastDefault(model->options());
        const auto result = engine::Sampler(model).sample(crop.image, options);
        review::saveRun(database, lesion.id, review::runToStore(*model, slice, options, result));
    }
    return series.studyUid;
}

/// The PDF needs a Qt GUI application; without a display, the offscreen platform.
void ensureGuiApplication() {
    if (QGuiApplication::instance() != nullptr) return;
    if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr)
        setenv("QT_QPA_PLATFORM", "offscreen", 0);
    // Qt's own notes (no XDG_RUNTIME_DIR, font fallbacks) are not the command's
    // output: a failure stays one line on stderr.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& message) {
        if (type == QtCriticalMsg || type == QtFatalMsg)
            std::fprintf(stderr, "flowseg: Qt: %s\n", qPrintable(message));
    });
    static int argc = 1;
    static char name[] = "flowseg";
    static char* argv[] = {name, nullptr};
    // Kept to the process's end (its exit tears it down with the rest).
    new QGuiApplication(argc, argv);  // NOLINT(cppcoreguidelines-owning-memory)
}

void runReport(const ReportFlags& f) {
    if (!f.demo && (f.database.empty() || f.study.empty()))
        throw std::runtime_error("give --db and --study (or --demo)");
    if (f.identified && f.replaceUids)
        throw std::runtime_error(
            "--replace-uids is part of de-identification: drop it or --identified");
    ensureGuiApplication();
    std::string store = f.database;
    std::string studyUid = f.study;
    if (f.demo) {
        if (store.empty()) store = (fs::path(f.out).parent_path() / "demo-report.flowseg").string();
        studyUid = prepareDemo(store, modelOrDefault(f.model), f.device);
    }
    auto database = db::Database::open(store, db::OpenMode::ReadOnly);
    const auto series = loadStudySeries(database, studyUid);
    review::ReportOptions options;
    options.deidentify = !f.identified;
    options.replaceUids = f.replaceUids;
    options.resample = !f.noResample;
    options.device = f.device;
    const auto report = review::gatherStudyReport(database, studyUid, series, options);
    render::writeReportPdf(report, series, f.out);
    std::vector<std::string> exported;
    if (!f.exports.empty()) {
        exported = review::exportStudy(report, series, f.exports);
        exported.push_back(review::exportReportDocument(report, series, f.out, f.exports));
    }
    if (f.json) {
        nlohmann::json lesions = nlohmann::json::array();
        for (const auto& lesion : report.lesions)
            lesions.push_back(nlohmann::json::parse(review::lesionMetricsJson(report, lesion)));
        printJson({{"out", f.out},
                   {"store", store},
                   {"study", studyUid},
                   {"deidentified", report.deidentified},
                   {"lesions", lesions},
                   {"exports", exported}});
        return;
    }
    std::cout << "report of " << report.lesions.size() << " lesion(s) written to " << f.out
              << (report.deidentified ? " (de-identified)" : "") << "\n";
    if (!exported.empty())
        std::cout << exported.size() << " files exported to " << f.exports << "\n";
}

}  // namespace

render::TemporaryResults studyResults(const std::string& store, const std::string& studyUid) {
    ensureGuiApplication();
    auto database = db::Database::open(store, db::OpenMode::ReadOnly);
    const auto series = loadStudySeries(database, studyUid);
    return {database, studyUid, series};
}

void addReportCommand(CLI::App& app) {
    auto f = std::make_shared<ReportFlags>();
    auto* cmd =
        app.add_subcommand("report", "The uncertainty report of a study as PDF, with exports");
    cmd->add_option("--db", f->database, "annotation store");
    cmd->add_option("--study", f->study, "Study Instance UID");
    cmd->add_option("--out", f->out, "PDF file to write")->required();
    cmd->add_option(
        "--exports", f->exports,
        "also write PNG, NIfTI, DICOM SEG, CSV, JSON and the report as Encapsulated PDF "
        "(report.dcm) into this folder");
    cmd->add_flag(
        "--demo", f->demo,
        "first build the real LIDC demo study in a store (--db, or beside --out) and sample it");
    cmd->add_option("--model", f->model, "model for --demo (default: the shipped one)");
    cmd->add_option("--device", f->device, "cpu, cuda or auto (re-running the runs)")
        ->capture_default_str();
    cmd->add_flag("--identified", f->identified,
                  "keep the patient's name, ID and dates (default: de-identified)");
    cmd->add_flag("--replace-uids", f->replaceUids,
                  "de-identified: replace the study, series and instance UIDs too (one consistent "
                  "set per report) instead of keeping them");
    cmd->add_flag("--no-rerun", f->noResample,
                  "do not re-run the stored runs (no trajectory, no reproduction check)");
    cmd->add_flag("--json", f->json, "print JSON");
    cmd->callback([f] { runReport(*f); });
}

}  // namespace flowseg::cli
