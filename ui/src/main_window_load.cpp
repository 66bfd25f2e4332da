// Loading a series into the review session: a DICOM folder or a stored series,
// read by a SeriesLoadTask through the task manager; a stored lesion picked in
// the browser, loading its series first when needed.
#include <QDockWidget>
#include <QSettings>
#include <QVariant>

#include <optional>

#include <spdlog/spdlog.h>

#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/pacs.h"
#include "flowseg/dicom/pacs_cache.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/pacs_browser.h"
#include "flowseg/ui/reader_import_task.h"
#include "flowseg/ui/report_task.h"
#include "flowseg/ui/series_load_task.h"
#include "flowseg/ui/series_picker.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/task_manager.h"

namespace flowseg::ui {

void MainWindow::openFolder(const QString& folder, const QString& seriesUid) {
    if (m_tasks->isBusy(TaskManager::Kind::Loading)) {
        reportError(tr("Cannot open"), tr("another series is still loading"));
        return;
    }
    startLoad(SeriesLoadTask::forFolder(folder.toStdString(), m_session->store().location(),
                                        seriesUid.toStdString()));
}

void MainWindow::openStoredSeries(std::int64_t seriesId) {
    if (!m_session->store().reader() || m_tasks->isBusy(TaskManager::Kind::Loading)) return;
    // The store names the series by its UIDs; this workstation finds its images
    // (the stored paths, the PACS cache, the searched folders, then the PACS).
    auto sources = review::SeriesSources::fromEnvironment();
    for (const auto& folder :
         QSettings().value(QStringLiteral("dicom/searchFolders")).toStringList())
        sources.folders.push_back(folder.toStdString());
    if (m_pacs) {
        const auto node = m_pacs->node();
        sources.retrieve = [node, cache = sources.pacsCache](const std::string& studyUid,
                                                             const std::string& seriesUid) {
            dicom::PacsCache into(cache);
            const dicom::PacsClient client(node.node);
            const auto moveTo = node.useMove ? std::optional<int>(node.listenPort) : std::nullopt;
            return into.fetch(studyUid, seriesUid, [&](const std::string& folder) {
                client.retrieve(studyUid, seriesUid, folder, moveTo);
            });
        };
    }
    auto* task = SeriesLoadTask::forStoredSeries(m_session->store().location(), seriesId,
                                                 std::move(sources));
    task->setProperty("seriesId", QVariant::fromValue<qlonglong>(seriesId));
    startLoad(task);
}

void MainWindow::startLoad(SeriesLoadTask* task) {
    m_session->events().say(task->description().toStdString(), false);
    // The first image, while the rest of the series decodes (the view only: the
    // session keeps the series it has until the new one is whole).
    connect(task, &SeriesLoadTask::previewReady, this, [this, task] {
        if (!task->preview()) return;
        m_view->setSeries(task->preview());
        m_view->setWindow(-600, 1500);
    });
    m_tasks->add(task, TaskManager::Kind::Loading, [this, task](Task::Outcome outcome) {
        onLoadFinished(task, static_cast<int>(outcome));
    });
}

void MainWindow::onLoadFinished(SeriesLoadTask* task, int outcome) {
    if (static_cast<Task::Outcome>(outcome) != Task::Outcome::Succeeded) {
        const auto message = static_cast<Task::Outcome>(outcome) == Task::Outcome::Canceled
                                 ? tr("loading cancelled")
                                 : task->errorMessage();
        reportError(tr("Cannot load the series"), message);
        if (task->preview()) m_view->setSeries(m_session->series());  // back from the preview
        Q_EMIT loadFailed(message);
        return;
    }
    for (const auto& warning : task->warnings()) logger("dicom")->warn("{}", warning);
    const auto series = task->series();
    logger("dicom")->info("loaded series {} ({} slices) in {:.2f} s", series->seriesUid,
                          series->depth, task->seconds());
    if (task->preview())
        logger("dicom")->info("its first image was shown after {:.2f} s", task->previewSeconds());
    if (!task->choices().empty()) {
        m_studyFolder = QString::fromStdString(task->folder());
        m_seriesPicker->setChoices(task->choices(), QString::fromStdString(series->seriesUid));
        m_seriesDock->setVisible(task->choices().size() > 1);
    }
    m_session->setSeries(
        series, task->seriesId() ? task->seriesId() : task->property("seriesId").toLongLong());
    Q_EMIT seriesLoaded();
    importSegsBeside(task->segFiles());
}

void MainWindow::importSegsBeside(const std::vector<std::string>& segFiles) {
    // A study reopened from the PACS (or a folder) with readers' SEG beside it:
    // they become the lesion's experts, once (a series that has lesions in the
    // store already has them, or the user's own).
    if (segFiles.empty() || m_session->seriesId() == 0 || !m_session->store().reader()) return;
    try {
        if (!db::LesionRepository(*m_session->store().reader())
                 .ofSeries(m_session->seriesId())
                 .empty())
            return;
    } catch (const std::exception&) {
        return;
    }
    QStringList files;
    for (const auto& f : segFiles) files << QString::fromStdString(f);
    importReaders(false, files);
}

void MainWindow::importReaders(bool lidcXml, const QStringList& files) {
    std::vector<std::string> paths;
    for (const auto& f : files) paths.push_back(f.toStdString());
    auto* task = new ReaderImportTask(
        lidcXml ? ReaderImportTask::Source::LidcXml : ReaderImportTask::Source::Seg,
        std::move(paths), m_session->series(), m_session->seriesId(),
        m_session->store().location());
    m_tasks->add(task, TaskManager::Kind::Import, [this, task](Task::Outcome outcome) {
        QList<qint64> lesions;
        if (outcome != Task::Outcome::Succeeded) {
            reportError(tr("Cannot import the readers"), outcome == Task::Outcome::Canceled
                                                             ? tr("cancelled")
                                                             : task->errorMessage());
            Q_EMIT readersImported(lesions);
            return;
        }
        m_session->reloadFromStore();
        QStringList summary;
        for (const auto& imported : task->imported()) {
            lesions.append(imported.lesionId);
            summary.append(tr("%1 (%2 readers, %3 outlines)")
                               .arg(QString::fromStdString(imported.label))
                               .arg(imported.readers.size())
                               .arg(imported.outlines));
        }
        if (!lesions.isEmpty()) selectStoredLesion(lesions.front(), m_session->seriesId());
        m_session->events().say(
            tr("Imported %1.").arg(summary.join(QStringLiteral(", "))).toStdString(), false);
        Q_EMIT readersImported(lesions);
    });
}

void MainWindow::exportReport(const QString& pdfPath, const QString& exportFolder,
                              bool deidentify) {
    m_session->store().flush();  // the report is made from the store: every edit so far in it
    auto* task = new ReportTask(m_session->store().location(), m_session->series(),
                                pdfPath.toStdString(), exportFolder.toStdString(), deidentify);
    m_tasks->add(
        task, TaskManager::Kind::Export,
        [this, task, pdfPath, exportFolder](Task::Outcome outcome) {
            if (outcome != Task::Outcome::Succeeded) {
                reportError(tr("Cannot write the report"), outcome == Task::Outcome::Canceled
                                                               ? tr("cancelled")
                                                               : task->errorMessage());
                Q_EMIT reportExported(false);
                return;
            }
            QStringList done;
            if (!pdfPath.isEmpty())
                done << tr("report of %n lesion(s) in %1", nullptr, task->lesions()).arg(pdfPath);
            if (!exportFolder.isEmpty())
                done << tr("%1 files in %2").arg(task->exportedFiles()).arg(exportFolder);
            m_session->events().say(tr("Wrote the %1.").arg(done.join(tr(" and "))).toStdString(),
                                    false);
            Q_EMIT reportExported(true);
        });
}

void MainWindow::selectStoredLesion(std::int64_t lesionId, std::int64_t seriesId) {
    auto select = [this, lesionId] {
        m_session->selectLesion(lesionId);
        const auto& b = m_session->box();
        if (b.empty()) return;
        const QRectF box(b.box.x, b.box.y, b.box.width, b.box.height);
        m_view->focusOn(box.adjusted(-box.width(), -box.height(), box.width(), box.height()), 0.8);
    };
    if (seriesId == m_session->seriesId() && m_session->series()) {
        select();
        return;
    }
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(this, &MainWindow::seriesLoaded, this, [connection, select] {
        QObject::disconnect(*connection);
        select();
    });
    openStoredSeries(seriesId);
}

}  // namespace flowseg::ui
