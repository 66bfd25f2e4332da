// The review window's fine-tuning side: the Fine-tuning dock, the fine-tune task
// (one at a time, through the task manager), and which model version the window
// samples with. A promoted version is swapped in between runs: a run in flight
// finishes with the model it started with.
#include <QAction>
#include <QDockWidget>
#include <QMenu>

#include <spdlog/spdlog.h>

#include "flowseg/engine/model.h"
#include "flowseg/review/fine_tune.h"
#include "flowseg/ui/fine_tune_task.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/task_manager.h"
#include "flowseg/ui/training_panel.h"

namespace flowseg::ui {

void MainWindow::buildTrainingDock() {
    m_trainingPanel = new TrainingPanel;
    auto* dock = m_trainingDock = new QDockWidget(tr("Fine-tuning"), this);
    dock->setObjectName(QStringLiteral("fineTuningDock"));
    dock->setWidget(m_trainingPanel);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    // Below the trajectory bar, full width: side by side, the bar would be stretched
    // to the chart's height and leave a blank box.
    if (auto* trajectory = findChild<QDockWidget*>(QStringLiteral("trajectoryDock")))
        splitDockWidget(trajectory, dock, Qt::Vertical);
    // Hidden until wanted (Model > Fine-tuning panel, or a fine-tune starts): the
    // slice keeps the room while a radiologist reviews.
    dock->toggleViewAction()->setText(tr("Fine-tuning panel"));
    dock->hide();
    connect(m_trainingPanel, &TrainingPanel::startRequested, this, [this](int steps) {
        review::FineTuneOptions options;
        options.steps = steps;
        startFineTune(options);
    });
    connect(m_trainingPanel, &TrainingPanel::pauseToggled, this, &MainWindow::setFineTunePaused);
    connect(m_trainingPanel, &TrainingPanel::cancelRequested, this, &MainWindow::cancelFineTune);
    connect(m_trainingPanel, &TrainingPanel::activateRequested, this,
            &MainWindow::activateModelVersion);
}

QString MainWindow::modelVersionsFolder() const {
    const auto store = m_session->store().path();
    return store.empty() ? QString() : QString::fromStdString(review::defaultVersionsFolder(store));
}

void MainWindow::startFineTune(review::FineTuneOptions options) {
    if (m_fineTune) {
        m_session->events().say(
            "A fine-tune is already running: pause or cancel it in the Fine-tuning panel.", true);
        return;
    }
    if (m_session->store().path().empty() || !m_session->models().current()) {
        m_session->events().say("Fine-tuning needs an open annotation store and a loaded model.",
                                true);
        return;
    }
    if (options.versionsFolder.empty())
        options.versionsFolder = modelVersionsFolder().toStdString();
    options.device = m_session->models().current()->device();  // where the model samples, it trains
    auto* task = new FineTuneTask(m_session->store().location(),
                                  m_session->models().current()->source(), options);
    m_fineTune = task;
    m_trainingDock->show();  // a job's progress, Pause and Cancel are in sight while it runs
    m_trainingDock->raise();
    m_trainingPanel->setSteps(static_cast<int>(options.steps));
    m_trainingPanel->setRunning(true);
    m_trainingPanel->setStatus(tr("Gathering the finished lesions..."));
    connect(task, &FineTuneTask::lossReported, m_trainingPanel, &TrainingPanel::addLoss);
    connect(task, &FineTuneTask::validated, m_trainingPanel, &TrainingPanel::addValidation);
    connect(task, &FineTuneTask::logLine, this,
            [](const QString& line) { logger("training")->info("{}", line.toStdString()); });
    m_tasks->add(task, TaskManager::Kind::Training,
                 [this, task](Task::Outcome outcome) { onFineTuneFinished(task, outcome); });
}

void MainWindow::onFineTuneFinished(FineTuneTask* task, Task::Outcome outcome) {
    m_trainingPanel->setRunning(false);
    const auto& r = task->result();
    QString text;
    bool error = false;
    if (outcome == Task::Outcome::Failed) {
        text = tr("Fine-tuning stopped: %1").arg(task->errorMessage());
        error = true;
    } else if (outcome == Task::Outcome::Canceled ||
               r.outcome == review::FineTuneResult::Outcome::Cancelled) {
        text = tr("Fine-tuning cancelled; the model in use stays active.");
    } else if (r.outcome == review::FineTuneResult::Outcome::Promoted) {
        text = tr("The fine-tuned version beats its parent on the held-out lesions (GED %1 against "
                  "%2) and is now "
                  "active; the next run samples with it.")
                   .arg(r.ged, 0, 'f', 4)
                   .arg(r.parentGed, 0, 'f', 4);
        m_session->models().use(r.version);
    } else {
        text = tr("The fine-tuned version is kept but not used: its GED on the held-out lesions "
                  "(%1) does not beat its "
                  "parent's (%2). It can be made active in the Fine-tuning panel.")
                   .arg(r.ged, 0, 'f', 4)
                   .arg(r.parentGed, 0, 'f', 4);
    }
    m_trainingPanel->setStatus(text);
    m_session->events().say(text.toStdString(), error);
    refreshModelVersions();
    Q_EMIT fineTuneFinished(static_cast<int>(outcome));
}

void MainWindow::setFineTunePaused(bool paused) {
    if (!m_fineTune) return;
    m_fineTune->setPaused(paused);
    m_trainingPanel->setStatus(
        paused ? tr("Paused: the job holds its place; Resume goes on from there.")
               : tr("Resumed."));
}

void MainWindow::cancelFineTune() {
    if (m_fineTune) m_tasks->cancel(m_fineTune);
}

void MainWindow::activateModelVersion(std::int64_t id) { m_session->models().use(id); }

void MainWindow::refreshModelVersions() {
    const auto label = m_session->models().label();
    m_trainingPanel->setSamplingModel(
        label.empty() ? tr("No model loaded.")
                      : tr("Sampling with %1").arg(QString::fromStdString(label)));
    m_trainingPanel->setVersions(m_session->models().all());
}

}  // namespace flowseg::ui
