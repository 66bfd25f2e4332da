#include "flowseg/ui/pacs_task.h"

#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/dicom/pacs_cache.h"
#include "flowseg/render/study_results.h"

namespace flowseg::ui {

namespace fs = std::filesystem;

PacsTask::PacsTask(Action action, const PacsNodeSettings& node, QString description)
    : Task(std::move(description)), m_action(action), m_node(node) {}

PacsTask* PacsTask::echo(const PacsNodeSettings& node) {
    return new PacsTask(Action::Echo, node,
                        tr("Testing PACS %1").arg(QString::fromStdString(node.node.calledAeTitle)));
}

PacsTask* PacsTask::findStudies(const PacsNodeSettings& node, const dicom::StudyQuery& query) {
    auto* task =
        new PacsTask(Action::FindStudies, node,
                     tr("Searching PACS %1").arg(QString::fromStdString(node.node.calledAeTitle)));
    task->m_query = query;
    return task;
}

PacsTask* PacsTask::findSeries(const PacsNodeSettings& node, const std::string& studyUid) {
    auto* task = new PacsTask(Action::FindSeries, node, tr("Listing the study's series"));
    task->m_studyUid = studyUid;
    return task;
}

PacsTask* PacsTask::retrieve(const PacsNodeSettings& node, const std::string& studyUid,
                             const std::vector<dicom::SeriesMatch>& series,
                             const std::string& cacheRoot, std::uint64_t cacheLimitBytes) {
    auto* task = new PacsTask(
        Action::Retrieve, node,
        tr("Retrieving a study from %1").arg(QString::fromStdString(node.node.calledAeTitle)));
    task->m_studyUid = studyUid;
    task->m_series = series;
    task->m_cacheRoot = cacheRoot;
    task->m_cacheLimit = cacheLimitBytes;
    return task;
}

PacsTask* PacsTask::storeResults(const PacsNodeSettings& node, const std::string& storePath,
                                 std::shared_ptr<const dicom::Series> series) {
    auto* task = new PacsTask(
        Action::StoreResults, node,
        tr("Sending the results to %1").arg(QString::fromStdString(node.node.calledAeTitle)));
    task->m_storePath = storePath;
    task->m_open = std::move(series);
    return task;
}

void PacsTask::runRetrieve() {
    // The images and the SEG objects (readers' outlines, imported on opening);
    // reports and other documents stay on the PACS.
    static const std::set<std::string> kLeft{"DOC", "SR", "PR", "KO", "RTSTRUCT"};
    std::vector<dicom::SeriesMatch> images;
    int total = 0;
    bool anyImage = false;
    for (const auto& s : m_series)
        if (!kLeft.count(s.modality)) {
            images.push_back(s);
            total += s.instances;
            anyImage = anyImage || s.modality != "SEG";
        }
    if (!anyImage) throw std::runtime_error("the study has no image series on the PACS");
    dicom::PacsCache cache(m_cacheRoot, m_cacheLimit);
    const dicom::PacsClient client(m_node.node);
    const auto moveTo = m_node.useMove ? std::optional<int>(m_node.listenPort) : std::nullopt;
    int before = 0;
    for (const auto& s : images) {
        if (isCanceled()) return;
        const auto progress = [&](const dicom::TransferProgress& p) {
            m_count = before + p.done;
            setProgress(total > 0 ? static_cast<double>(m_count) / total : 0.0,
                        tr("image %1 of %2 (%3)")
                            .arg(m_count)
                            .arg(total)
                            .arg(QString::fromStdString(s.description)));
        };
        try {
            cache.fetch(m_studyUid, s.seriesUid, [&](const std::string& into) {
                client.retrieve(m_studyUid, s.seriesUid, into, moveTo, progress,
                                [this] { return isCanceled(); });
            });
        } catch (const dicom::PacsError&) {
            if (isCanceled()) return;  // the manager reports Canceled
            throw;
        }
        before += s.instances;
        m_count = before;
    }
    m_folder = (fs::path(cache.root()) / m_studyUid).string();
}

void PacsTask::runStoreResults() {
    if (!m_open) throw std::runtime_error("no study is open: open the study whose results to send");
    if (m_storePath.empty())
        throw std::runtime_error("no annotation store is open: the results come from the store");
    setProgress(0.05, tr("writing the report and the SEG objects"));
    std::optional<render::TemporaryResults> results;
    {
        auto database = db::Database::open(m_storePath, db::OpenMode::ReadOnly);
        results.emplace(database, m_open->studyUid, *m_open);
    }
    const auto& files = results->files();
    if (isCanceled()) return;
    dicom::PacsClient(m_node.node).store(files, [&](const dicom::TransferProgress& p) {
        m_count = p.done;
        setProgress(0.5 + 0.5 * p.done / std::max(1, p.total),
                    tr("sent %1 of %2 objects").arg(p.done).arg(p.total));
    });
}

void PacsTask::run() {
    const dicom::PacsClient client(m_node.node);
    switch (m_action) {
        case Action::Echo:
            client.echo();
            break;
        case Action::FindStudies:
            m_studies = client.findStudies(m_query);
            break;
        case Action::FindSeries:
            m_series = client.findSeries(m_studyUid);
            break;
        case Action::Retrieve:
            runRetrieve();
            break;
        case Action::StoreResults:
            runStoreResults();
            break;
    }
}

}  // namespace flowseg::ui
