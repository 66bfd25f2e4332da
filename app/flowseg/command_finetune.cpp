// flowseg finetune / flowseg models: fine-tuning the store's active model on its
// finished multi-expert lesions, and the store's model versions (list, make one
// active: promote or roll back). The same job as the review window's Fine-tuning
// panel (review/fine_tune.h).

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "dataset_flags.h"
#include "flowseg/db/database.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/review/case_import.h"
#include "flowseg/review/fine_tune.h"

namespace flowseg::cli {

namespace {

struct FineTuneFlags {
    std::string database;
    std::string model;
    std::string versions;
    review::FineTuneOptions options;
    std::int64_t activate = 0;
    DatasetFlags dataset;
    std::string dicomOut;
    int threads = 0;
    bool json = false;
};

/// --model, else the store's active version, else the shipped model.
std::string parentOf(const FineTuneFlags& f) {
    if (!f.model.empty()) return f.model;
    auto database = db::Database::open(f.database, db::OpenMode::Existing);
    if (const auto active = db::ModelRepository(database).active()) return active->path;
    return modelOrDefault("");
}

void runFineTune(const FineTuneFlags& f) {
    applyThreads(f.threads);
    installInterruptHandler();
    auto options = f.options;
    options.versionsFolder =
        f.versions.empty() ? review::defaultVersionsFolder(f.database) : f.versions;
    const auto parent = parentOf(f);
    review::FineTuneCallbacks callbacks;
    callbacks.cancelled = [] { return interruptRequested().load(); };
    callbacks.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    callbacks.progress = [&](const review::FineTuneProgress& p) {
        if (p.step % std::max<std::int64_t>(1, p.steps / 20) == 0 || p.step == p.steps)
            std::fprintf(stderr, "  step %lld/%lld  loss %.4f  %.2f it/s  %.0f s left\n",
                         static_cast<long long>(p.step), static_cast<long long>(p.steps), p.loss,
                         p.stepsPerSecond, p.secondsLeft);
    };
    callbacks.validation = [](std::int64_t step, double ged) {
        std::fprintf(stderr, "  step %lld: validation GED %.4f\n", static_cast<long long>(step),
                     ged);
    };
    const auto r = review::runFineTune(f.database, parent, options, callbacks);
    const char* outcome = r.outcome == review::FineTuneResult::Outcome::Promoted ? "promoted"
                          : r.outcome == review::FineTuneResult::Outcome::Kept   ? "kept"
                                                                                 : "cancelled";
    if (f.json) {
        printJson({{"outcome", outcome},
                   {"version", r.version},
                   {"parent", r.parent},
                   {"checkpoint", r.checkpoint},
                   {"validation_ged", r.ged},
                   {"parent_validation_ged", r.parentGed},
                   {"gate_p_value", r.pValue},
                   {"gate", r.gate},
                   {"train_cases", r.trainCases},
                   {"validation_cases", r.validationCases},
                   {"validation_patients", r.validationPatients},
                   {"seconds", r.seconds}});
        return;
    }
    if (r.outcome == review::FineTuneResult::Outcome::Cancelled) {
        std::cout << "cancelled; model version " << r.parent << " stays active\n";
        return;
    }
    std::printf("model version %lld (%s): validation GED %.4f, parent %lld %.4f; the gate: %s\n",
                static_cast<long long>(r.version), r.checkpoint.c_str(), r.ged,
                static_cast<long long>(r.parent), r.parentGed, r.gate.c_str());
}

void runModels(const FineTuneFlags& f) {
    auto database = db::Database::open(
        f.database, f.activate ? db::OpenMode::Existing : db::OpenMode::ReadOnly);
    db::ModelRepository models(database);
    if (f.activate) models.setActive(f.activate);
    const auto all = models.all();
    if (f.json) {
        auto list = nlohmann::json::array();
        for (const auto& m : all)
            list.push_back({{"id", m.id},
                            {"label", m.label},
                            {"path", m.path},
                            {"sha256", m.sha256},
                            {"parent", m.parentId ? nlohmann::json(*m.parentId) : nlohmann::json()},
                            {"training_job",
                             m.trainingJobId ? nlohmann::json(*m.trainingJobId) : nlohmann::json()},
                            {"active", m.active},
                            {"metrics", nlohmann::json::parse(m.metricsJson, nullptr, false)},
                            {"created_at", m.createdAt}});
        printJson(list);
        return;
    }
    if (all.empty())
        std::cout << "the store holds no model version yet (one is recorded by its first run or "
                     "fine-tune)\n";
    for (const auto& m : all) {
        const auto metrics = nlohmann::json::parse(m.metricsJson, nullptr, false);
        std::printf("%s %3lld  %-40s", m.active ? "*" : " ", static_cast<long long>(m.id),
                    (m.label.empty() ? std::filesystem::path(m.path).filename().string() : m.label)
                        .c_str());
        if (!metrics.is_discarded() && metrics.contains("validation_ged"))
            std::printf("  validation GED %.4f (parent %.4f)",
                        metrics.at("validation_ged").get<double>(),
                        metrics.value("parent_validation_ged", 0.0));
        std::printf("  %s\n", m.path.c_str());
    }
}

void runImportCases(const FineTuneFlags& f) {
    const int threads = applyThreads(f.threads);
    std::vector<common::MultiRaterCase> cases;
    for (auto& c : f.dataset.load(threads)) cases.push_back(std::move(c.data));
    auto database = db::Database::open(f.database);
    review::CaseImportOptions options;
    options.dicomFolder = f.dicomOut.empty() ? f.database + ".cases" : f.dicomOut;
    const auto summary = review::importCases(database, cases, options, [&](int done, int total) {
        if (!f.json && (done % 100 == 0 || done == total))
            std::fprintf(stderr, "  %d/%d cases\n", done, total);
    });
    if (f.json) {
        printJson({{"cases", summary.cases},
                   {"outlines", summary.outlines},
                   {"skipped", summary.skipped},
                   {"dicom", options.dicomFolder},
                   {"dataset", f.dataset.describe(cases.size())}});
        return;
    }
    std::printf(
        "imported %d cases (%d reader outlines) from %s; their DICOM is in %s%s\n", summary.cases,
        summary.outlines, f.dataset.describe(cases.size()).c_str(), options.dicomFolder.c_str(),
        summary.skipped.empty()
            ? ""
            : (", " + std::to_string(summary.skipped.size()) + " left out (no reader marked them)")
                  .c_str());
}

}  // namespace

void addFineTuneCommands(CLI::App& app) {
    auto f = std::make_shared<FineTuneFlags>();
    auto* c = app.add_subcommand(
        "finetune",
        "Fine-tune the store's active model on its finished lesions with two or more experts; "
        "the new version becomes active only if it beats its parent on held-out patients");
    c->add_option("--db", f->database, "annotation store")->required();
    c->add_option("--model", f->model,
                  "the parent (default: the store's active version, else the shipped model)");
    c->add_option("--versions", f->versions,
                  "folder for the new version (default: <store>.models; for a server store "
                  "~/.local/share/flowseg/model-versions)");
    c->add_option("--steps", f->options.steps, "optimizer steps")->capture_default_str();
    c->add_option("--lr", f->options.learningRate,
                  "learning rate (falls to zero over the last 30%)")
        ->capture_default_str();
    c->add_option("--batch", f->options.batchSize, "batch size")->capture_default_str();
    c->add_option("--seed", f->options.seed, "seed")->capture_default_str();
    c->add_option("--device", f->options.device, "cpu, cuda or auto")->capture_default_str();
    c->add_option("--min-lesions", f->options.minimumLesions, "finished lesions needed")
        ->capture_default_str();
    c->add_option("--validation-share", f->options.validationShare,
                  "share of the patients held out")
        ->capture_default_str();
    c->add_option("--validation-samples", f->options.validationSamples, "M when scoring on them")
        ->capture_default_str();
    c->add_option("--evaluate-every", f->options.evaluateEvery,
                  "steps between validation GEDs (0: start and end)")
        ->capture_default_str();
    c->add_option("--min-improvement", f->options.minimumImprovement,
                  "GED margin (mean over the held-out lesions) needed to become active")
        ->capture_default_str();
    c->add_option("--gate-alpha", f->options.gateAlpha,
                  "significance of the paired sign-flip test over the held-out lesions that "
                  "the margin is exceeded")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    addThreadsFlag(*c, f->threads);
    c->add_flag("--json", f->json, "print JSON");
    c->callback([f] { runFineTune(*f); });

    auto* m = app.add_subcommand(
        "models", "The store's model versions (* = the one the review window samples with)");
    m->add_option("--db", f->database, "annotation store")->required();
    m->add_option("--activate", f->activate,
                  "make this version active (promote, or roll back to an older one)");
    m->add_flag("--json", f->json, "print JSON");
    m->callback([f] { runModels(*f); });

    auto* i = app.add_subcommand(
        "import-cases",
        "Import a folder of multi-reader crops (image + mask per reader) into the store, each "
        "case a one-slice DICOM series with its readers as experts, to fine-tune on");
    i->add_option("--db", f->database, "annotation store (created)")->required();
    f->dataset.addTo(*i, true);
    i->add_option("--dicom-out", f->dicomOut,
                  "folder for the DICOM written (default: <store>.cases)");
    addThreadsFlag(*i, f->threads);
    i->add_flag("--json", f->json, "print JSON");
    i->callback([f] { runImportCases(*f); });
}

}  // namespace flowseg::cli
