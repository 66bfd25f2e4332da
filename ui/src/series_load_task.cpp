#include "flowseg/ui/series_load_task.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/review/study_import.h"

namespace flowseg::ui {

SeriesLoadTask::SeriesLoadTask(QString description, QObject* parent)
    : Task(std::move(description), parent) {}

SeriesLoadTask* SeriesLoadTask::forFolder(const std::string& folder, const std::string& storePath,
                                          QObject* parent) {
    auto* task = new SeriesLoadTask(tr("Loading %1").arg(QString::fromStdString(folder)), parent);
    task->m_folder = folder;
    task->m_storePath = storePath;
    return task;
}

SeriesLoadTask* SeriesLoadTask::forFiles(std::vector<std::string> files, QObject* parent) {
    auto* task = new SeriesLoadTask(tr("Loading %1 images").arg(files.size()), parent);
    task->m_files = std::move(files);
    return task;
}

void SeriesLoadTask::run() {
    setProgress(0.0, tr("reading DICOM files"));
    auto load = m_folder.empty() ? dicom::loadFiles(m_files) : dicom::loadFolder(m_folder);
    if (isCanceled()) return;
    if (load.series.empty()) {
        std::string reason = m_folder.empty() ? "the stored series' files" : "'" + m_folder + "'";
        reason = "no loadable DICOM image series in " + reason;
        if (!load.skipped.empty())
            reason += " (" + std::to_string(load.skipped.size()) +
                      " files skipped; first: " + load.skipped.front().path + ": " +
                      load.skipped.front().reason + ")";
        throw std::runtime_error(reason);
    }
    auto best = std::max_element(load.series.begin(), load.series.end(),
                                 [](const auto& a, const auto& b) { return a.depth < b.depth; });
    for (const auto& skipped : load.skipped)
        m_warnings.push_back("skipped " + skipped.path + ": " + skipped.reason);
    for (const auto& w : best->warnings) m_warnings.push_back(w);
    setProgress(0.8, tr("registering the study"));
    if (!m_storePath.empty() && !m_folder.empty()) {
        // From what was just loaded: the files are not read a second time.
        auto database = db::Database::open(m_storePath, db::OpenMode::Create);
        const auto summary = review::registerLoadedSeries(database, load.series);
        m_seriesId =
            summary.seriesIds.at(static_cast<size_t>(std::distance(load.series.begin(), best)));
    }
    m_series = std::make_shared<const dicom::Series>(std::move(*best));
    setProgress(1.0, tr("loaded"));
}

}  // namespace flowseg::ui
