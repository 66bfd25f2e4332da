// The PACS dock's actions: each a PacsTask through the task manager (progress in
// the status bar, Esc cancels); results go back to the dock, a retrieved study
// opens like a local folder (its series in the Series dock).
#include <QDockWidget>
#include <QSettings>

#include "flowseg/dicom/pacs_cache.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/pacs_browser.h"
#include "flowseg/ui/pacs_task.h"
#include "flowseg/ui/task_manager.h"

namespace flowseg::ui {

namespace {

/// The message of a finished PACS task that did not succeed.
QString failure(const Task& task, Task::Outcome outcome) {
    return outcome == Task::Outcome::Canceled ? QObject::tr("cancelled") : task.errorMessage();
}

}  // namespace

void MainWindow::buildPacsDock() {
    m_pacs = new PacsBrowser;
    m_pacs->loadSettings();
    m_pacsDock = new QDockWidget(tr("PACS"), this);
    m_pacsDock->setObjectName(QStringLiteral("pacsDock"));
    m_pacsDock->setWidget(m_pacs);
    addDockWidget(Qt::LeftDockWidgetArea, m_pacsDock);
    m_pacsDock->hide();  // File > PACS shows it
    connect(m_pacs, &PacsBrowser::echoRequested, this, &MainWindow::pacsEcho);
    connect(m_pacs, &PacsBrowser::searchRequested, this, &MainWindow::pacsSearch);
    connect(m_pacs, &PacsBrowser::studySelected, this, &MainWindow::pacsListSeries);
    connect(m_pacs, &PacsBrowser::retrieveRequested, this, &MainWindow::pacsRetrieve);
    connect(m_pacs, &PacsBrowser::sendResultsRequested, this, &MainWindow::pacsSendResults);
}

void MainWindow::pacsEcho() {
    m_pacs->saveSettings();
    const auto node = m_pacs->node();
    auto* task = PacsTask::echo(node);
    m_pacs->setBusy(true);
    m_tasks->add(task, TaskManager::Kind::Import, [this, task, node](Task::Outcome outcome) {
        m_pacs->setBusy(false);
        if (outcome == Task::Outcome::Succeeded)
            m_pacs->setStatus(tr("%1 at %2:%3 answers.")
                                  .arg(QString::fromStdString(node.node.calledAeTitle),
                                       QString::fromStdString(node.node.host))
                                  .arg(node.node.port));
        else
            m_pacs->setStatus(failure(*task, outcome), true);
    });
}

void MainWindow::pacsSearch() {
    m_pacs->saveSettings();
    auto* task = PacsTask::findStudies(m_pacs->node(), m_pacs->query());
    m_pacs->setBusy(true);
    m_pacs->setStatus(tr("Searching..."));
    m_tasks->add(task, TaskManager::Kind::Import, [this, task](Task::Outcome outcome) {
        m_pacs->setBusy(false);
        if (outcome != Task::Outcome::Succeeded) {
            m_pacs->setStatus(failure(*task, outcome), true);
            return;
        }
        m_pacs->setStudies(task->studies());
        m_pacs->setStatus(
            tr("%n stud(ies) found.", nullptr, static_cast<int>(task->studies().size())));
    });
}

void MainWindow::pacsListSeries(const QString& studyUid) {
    auto* task = PacsTask::findSeries(m_pacs->node(), studyUid.toStdString());
    m_tasks->add(task, TaskManager::Kind::Import, [this, task, studyUid](Task::Outcome outcome) {
        if (outcome != Task::Outcome::Succeeded) {
            m_pacs->setStatus(failure(*task, outcome), true);
            return;
        }
        if (QString::fromStdString(m_pacs->selectedStudy()) == studyUid)
            m_pacs->setSeries(task->series());
    });
}

void MainWindow::pacsRetrieve(const QString& studyUid) {
    if (m_tasks->isBusy(TaskManager::Kind::Loading)) {
        reportError(tr("Cannot retrieve"), tr("a series is still loading"));
        return;
    }
    const auto node = m_pacs->node();
    const auto start = [this, node, studyUid](const std::vector<dicom::SeriesMatch>& series) {
        constexpr double kGiB = 1ULL << 30U;
        const double limitGiB =
            QSettings()
                .value(QStringLiteral("pacs/cacheLimitGiB"),
                       static_cast<double>(dicom::PacsCache::kDefaultLimitBytes) / kGiB)
                .toDouble();
        auto* task = PacsTask::retrieve(node, studyUid.toStdString(), series,
                                        dicom::PacsCache::defaultRoot(),
                                        static_cast<std::uint64_t>(limitGiB * kGiB));
        m_pacs->setBusy(true);
        m_pacs->setStatus(tr("Retrieving..."));
        m_tasks->add(task, TaskManager::Kind::Loading, [this, task](Task::Outcome outcome) {
            m_pacs->setBusy(false);
            if (outcome != Task::Outcome::Succeeded) {
                const auto why = failure(*task, outcome);
                m_pacs->setStatus(tr("Retrieval stopped (%1); the cache keeps only complete "
                                     "series.")
                                      .arg(why),
                                  true);
                reportError(tr("Cannot retrieve the study"), why);
                return;
            }
            m_pacs->setStatus(tr("%n image(s) in the cache; opening.", nullptr, task->count()));
            openFolder(QString::fromStdString(task->folder()));
        });
    };
    if (!m_pacs->series().empty() && QString::fromStdString(m_pacs->selectedStudy()) == studyUid) {
        start(m_pacs->series());
        return;
    }
    auto* list = PacsTask::findSeries(node, studyUid.toStdString());
    m_tasks->add(list, TaskManager::Kind::Import, [this, list, start](Task::Outcome outcome) {
        if (outcome != Task::Outcome::Succeeded) {
            m_pacs->setStatus(failure(*list, outcome), true);
            return;
        }
        start(list->series());
    });
}

void MainWindow::pacsSendResults() {
    m_session->store().flush();  // the results are made from the store
    auto* task =
        PacsTask::storeResults(m_pacs->node(), m_session->store().location(), m_session->series());
    m_pacs->setBusy(true);
    m_pacs->setStatus(tr("Sending the results..."));
    m_tasks->add(task, TaskManager::Kind::Export, [this, task](Task::Outcome outcome) {
        m_pacs->setBusy(false);
        if (outcome != Task::Outcome::Succeeded) {
            m_pacs->setStatus(failure(*task, outcome), true);
            reportError(tr("Cannot send the results"), failure(*task, outcome));
            return;
        }
        const auto text =
            task->count() <= 1
                ? tr("Sent the report to the PACS (no lesion has outlines or samples to send "
                     "as SEG).")
                : tr("Sent %1 objects to the PACS: the report and %2 SEG.")
                      .arg(task->count())
                      .arg(task->count() - 1);
        m_pacs->setStatus(text);
        m_session->events().say(text.toStdString(), false);
    });
}

}  // namespace flowseg::ui
