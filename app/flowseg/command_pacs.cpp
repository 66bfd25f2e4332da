// flowseg pacs: verify, query (studies by patient, date, modality, accession;
// series of a study), retrieve a series by C-GET or C-MOVE into the local cache
// (or a folder), send files, and send a study's results (SEG + the report as
// Encapsulated PDF) back to the PACS.

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_support.h"
#include "commands.h"
#include "flowseg/dicom/pacs.h"
#include "flowseg/dicom/pacs_cache.h"
#ifdef FLOWSEG_HAVE_REPORT
#include "study_results.h"
#endif

namespace flowseg::cli {

namespace {

namespace fs = std::filesystem;

struct PacsFlags {
    dicom::PacsNode node;
    dicom::StudyQuery query;
    std::string studyUid;
    std::string seriesUid;
    std::string out;
    std::string cache;
    double cacheLimitGiB = static_cast<double>(dicom::PacsCache::kDefaultLimitBytes) /
                           static_cast<double>(1ULL << 30U);
    int listenPort = 11113;
    std::vector<std::string> files;
    std::string store;
    bool json = false;
};

void runFind(const dicom::PacsClient& client, const PacsFlags& f) {
    nlohmann::json out = nlohmann::json::array();
    if (f.studyUid.empty()) {
        for (const auto& s : client.findStudies(f.query))
            out.push_back({{"study_uid", s.studyUid},
                           {"patient_id", s.patientId},
                           {"patient_name", s.patientName},
                           {"study_date", s.studyDate},
                           {"accession_number", s.accessionNumber},
                           {"description", s.description},
                           {"modalities", s.modalities}});
    } else {
        for (const auto& s : client.findSeries(f.studyUid))
            out.push_back({{"series_uid", s.seriesUid},
                           {"modality", s.modality},
                           {"description", s.description},
                           {"instances", s.instances}});
    }
    if (f.json)
        printJson(out);
    else
        for (const auto& row : out) std::cout << row.dump() << "\n";
}

/// C-GET or C-MOVE of one series, into --out or the cache (where an earlier
/// complete copy is used as it is).
void runRetrieve(const dicom::PacsClient& client, const PacsFlags& f, bool move) {
    const auto progress = [&](const dicom::TransferProgress& p) {
        if (!f.json)
            std::cerr << "  received " << p.done << (p.total ? "/" + std::to_string(p.total) : "")
                      << "\r";
    };
    const auto cancelled = [] { return interruptRequested().load(); };
    const auto retrieve = [&](const std::string& folder) {
        client.retrieve(f.studyUid, f.seriesUid, folder,
                        move ? std::optional<int>(f.listenPort) : std::nullopt, progress,
                        cancelled);
    };
    std::string folder = f.out;
    bool cached = false;
    if (folder.empty()) {
        dicom::PacsCache cache(f.cache.empty() ? dicom::PacsCache::defaultRoot() : f.cache,
                               static_cast<std::uint64_t>(f.cacheLimitGiB * (1ULL << 30U)));
        folder = cache.fetch(f.studyUid, f.seriesUid, retrieve, &cached);
    } else {
        retrieve(folder);
    }
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(folder)) files += entry.is_regular_file();
    if (f.json)
        printJson({{"out", folder}, {"files", files}, {"from_cache", cached}});
    else
        std::cout << (cached ? "already in the cache: " : "\nretrieved ") << files << " files in "
                  << folder << "\n";
}

void runPacs(const PacsFlags& f, const std::string& action) {
    installInterruptHandler();
    const dicom::PacsClient client(f.node);
    if (action == "echo") {
        client.echo();
        if (f.json)
            printJson({{"ok", true}});
        else
            std::cout << "PACS " << f.node.calledAeTitle << " at " << f.node.host << ":"
                      << f.node.port << " answers\n";
    } else if (action == "find") {
        runFind(client, f);
    } else if (action == "get" || action == "move") {
        runRetrieve(client, f, action == "move");
    } else if (action == "store") {
        client.store(f.files);
        if (!f.json) std::cout << "sent " << f.files.size() << " files\n";
#ifdef FLOWSEG_HAVE_REPORT
    } else if (action == "store-results") {
        const auto results = studyResults(f.store, f.studyUid);
        const auto& files = results.files();
        const fs::path folder = results.folder();
        client.store(files, [&](const dicom::TransferProgress& p) {
            if (!f.json) std::cerr << "  sent " << p.done << "/" << p.total << "\r";
        });
        nlohmann::json names = nlohmann::json::array();
        for (const auto& file : files) names.push_back(fs::relative(file, folder).string());
        if (f.json)
            printJson({{"study", f.studyUid}, {"sent", names}});
        else
            std::cout << "\nsent " << files.size() << " objects (the report and the lesions' SEG) "
                      << "of study " << f.studyUid << " to " << f.node.calledAeTitle << "\n";
#endif
    }
}

}  // namespace

void addPacsCommand(CLI::App& app) {
    auto pacs = std::make_shared<PacsFlags>();
    auto* pacsCmd = app.add_subcommand(
        "pacs", "Query and retrieve from a PACS (C-ECHO, C-FIND, C-GET, C-MOVE, C-STORE)");
    pacsCmd->require_subcommand(1);
    pacsCmd->add_option("--host", pacs->node.host, "PACS host")->capture_default_str();
    pacsCmd->add_option("--port", pacs->node.port, "PACS port")->capture_default_str();
    pacsCmd->add_option("--aet", pacs->node.calledAeTitle, "PACS AE title")->capture_default_str();
    pacsCmd->add_option("--our-aet", pacs->node.callingAeTitle, "our AE title")
        ->capture_default_str();
    pacsCmd->add_option("--timeout", pacs->node.timeoutSeconds, "seconds to wait for the PACS")
        ->capture_default_str();
    pacsCmd->add_flag("--json", pacs->json, "print JSON");
    pacsCmd->add_subcommand("echo", "Verify the connection")->callback([pacs] {
        runPacs(*pacs, "echo");
    });
    auto* find = pacsCmd->add_subcommand(
        "find", "Studies (by patient, date, modality, accession number), or the series of --study");
    find->add_option("--patient-id", pacs->query.patientId, "patient ID (wildcards allowed)");
    find->add_option("--patient-name", pacs->query.patientName,
                     "patient name, e.g. 'DOE^J*' (wildcards allowed)");
    find->add_option("--date", pacs->query.studyDate,
                     "study date YYYYMMDD or range YYYYMMDD-YYYYMMDD");
    find->add_option("--modality", pacs->query.modality, "a modality in the study, e.g. CT");
    find->add_option("--accession", pacs->query.accessionNumber, "accession number");
    find->add_option("--study", pacs->studyUid, "list the series of this study");
    find->callback([pacs] { runPacs(*pacs, "find"); });
    const auto retrieval = [&](const char* name, const char* help) {
        auto* cmd = pacsCmd->add_subcommand(name, help);
        cmd->add_option("--study", pacs->studyUid, "Study Instance UID")->required();
        cmd->add_option("--series", pacs->seriesUid, "Series Instance UID")->required();
        cmd->add_option("--out", pacs->out,
                        "folder for the files (default: the local cache, which keeps complete "
                        "series only and is used again)");
        cmd->add_option("--cache", pacs->cache,
                        "cache folder (default: $XDG_CACHE_HOME/flowseg/pacs)");
        cmd->add_option("--cache-limit-gib", pacs->cacheLimitGiB,
                        "the cache's size: the least recently used series leave beyond it")
            ->check(CLI::PositiveNumber)
            ->capture_default_str();
        return cmd;
    };
    retrieval("get", "Retrieve one series (C-GET)")->callback([pacs] { runPacs(*pacs, "get"); });
    auto* move = retrieval("move",
                           "Retrieve one series by C-MOVE to our own storage SCP (the PACS must "
                           "know --our-aet with this host and --listen-port)");
    move->add_option("--listen-port", pacs->listenPort, "port our storage SCP listens on")
        ->capture_default_str();
    move->callback([pacs] { runPacs(*pacs, "move"); });
    auto* store = pacsCmd->add_subcommand("store", "Send DICOM files (C-STORE)");
    store->add_option("files", pacs->files, "files")->required();
    store->callback([pacs] { runPacs(*pacs, "store"); });
#ifdef FLOWSEG_HAVE_REPORT
    auto* results = pacsCmd->add_subcommand(
        "store-results",
        "Send a study's results to the PACS: each lesion's experts' outlines, samples and "
        "probability as DICOM SEG, and the report as Encapsulated PDF (identified: they are "
        "filed with the patient's study)");
    results->add_option("--db", pacs->store, "annotation store")->required();
    results->add_option("--study", pacs->studyUid, "Study Instance UID")->required();
    results->callback([pacs] { runPacs(*pacs, "store-results"); });
#endif
}

}  // namespace flowseg::cli
