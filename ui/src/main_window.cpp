// The review window as a view of the review session: docks, the session's
// observer, and the commands the window forwards. Menus and shortcuts are in
// main_window_actions.cpp, series loading in main_window_load.cpp.
#include "flowseg/ui/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QSettings>
#include <QStatusBar>

#include <spdlog/spdlog.h>

#include "flowseg/db/database.h"
#include "flowseg/engine/model.h"
#include "flowseg/review/geometry.h"
#include "flowseg/review/nodule_measures.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/ui/about.h"
#include "flowseg/ui/help_overlay.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/scene_builder.h"
#include "flowseg/ui/series_picker.h"
#include "flowseg/ui/session_runner.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/study_browser.h"
#include "flowseg/ui/task_manager.h"
#include "flowseg/ui/task_status.h"
#include "flowseg/ui/trajectory_player.h"

namespace flowseg::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    initResources();
    setWindowTitle(tr("FlowSeg Review"));
    setObjectName(QStringLiteral("FlowSegReviewMainWindow"));
    m_tasks = new TaskManager(this);
    m_runner = new SessionRunner(m_tasks, this);
    m_session = std::make_unique<review::ReviewSession>(*m_runner);
    m_runner->setSession(m_session.get());

    m_view = new SliceView;
    setCentralWidget(m_view);
    m_help = new HelpOverlay(this);
    buildDocks();
    buildExpertDocks();
    buildTrainingDock();
    buildActions();

    m_message = new QLabel;
    m_cursor = new QLabel;
    m_taskStatus = new TaskStatus(m_tasks);
    statusBar()->addWidget(m_message, 1);
    statusBar()->addPermanentWidget(m_cursor);
    statusBar()->addPermanentWidget(m_taskStatus);

    m_session->events().subscribe([this](review::Changes changes) { onSessionChanged(changes); });
    connect(m_runner, &SessionRunner::previewChanged, this, &MainWindow::refreshScene);
    connect(m_runner, &SessionRunner::samplingProgress, this, &MainWindow::samplingProgress);
    connect(m_runner, &SessionRunner::samplingFinished, this, &MainWindow::samplingFinished);
    connect(m_tasks, &TaskManager::taskStarted, this,
            [](Task* task) { logger("ui")->info("{}", task->description().toStdString()); });
    connect(m_view, &SliceView::cursorInfoChanged, m_cursor, &QLabel::setText);
    // Another slice: the lesion's outlines as the store has them now (other experts
    // may share the store), then the overlay.
    connect(m_view, &SliceView::sliceChanged, this, [this] {
        m_session->refreshOutlines();
        refreshScene();
    });
    connect(m_view, &SliceView::roiDrawn, this,
            [this](const QRect& box) { markLesion(box, m_view->slice()); });
    connect(m_results, &ResultsPanel::layersEdited, this,
            [this](const review::Layers& layers) { m_session->setLayers(layers); });
    connect(m_player, &TrajectoryPlayer::displayChanged, this, &MainWindow::refreshScene);
    connect(m_controls, &SamplingControls::sampleRequested, this, &MainWindow::startSampling);
    connect(m_controls, &SamplingControls::optionsChanged, this, [this] {
        m_controls->saveSettings();
        refreshSamplingCost();
    });
    connect(m_browser, &StudyBrowser::seriesActivated, this,
            [this](std::int64_t id) { openStoredSeries(id); });
    connect(m_browser, &StudyBrowser::lesionActivated, this, &MainWindow::selectStoredLesion);

    m_controls->loadSettings();
    m_session->setWholeNodule(m_controls->wholeNodule());
    m_session->setSecondsPerPass(QSettings().value("sampling/secondsPerPass", 0.0).toDouble());
    connect(m_controls, &SamplingControls::wholeNoduleChanged, this,
            [this](bool whole) { m_session->setWholeNodule(whole); });
    m_results->setLayers(m_session->layers());
    refreshExpertViews(review::Changes::all());
    QSettings settings;
    // The last expert who signed in here, else the account's user (Review > Sign in changes it).
    const auto user = qEnvironmentVariable("USER");
    const auto name = settings.value("expert/name", user).toString();
    if (!name.isEmpty())
        m_session->signIn({name.toStdString(),
                           settings.value("expert/role", "radiologist").toString().toStdString()});
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    logger("ui")->info("FlowSeg Review started");
    m_session->events().say(
        "Open a DICOM folder (Ctrl+O) or pick a series in the study browser. F1 lists the "
        "shortcuts.",
        false);
}

MainWindow::~MainWindow() {
    // Tasks report to the session: stop them while it still exists.
    m_tasks->cancelAllAndWait();
    m_session->store().flush();
}

void MainWindow::buildDocks() {
    auto dock = [this](const QString& title, QWidget* widget, Qt::DockWidgetArea area,
                       const QString& name) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        addDockWidget(area, d);
        return d;
    };
    m_browser = new StudyBrowser;
    m_controls = new SamplingControls;
    m_results = new ResultsPanel;
    m_player = new TrajectoryPlayer;
    m_log = new LogPanel;
    attachLogPanel(m_log);
    dock(tr("Studies"), m_browser, Qt::LeftDockWidgetArea, QStringLiteral("studiesDock"));
    m_seriesPicker = new SeriesPicker;
    m_seriesDock =
        dock(tr("Series"), m_seriesPicker, Qt::LeftDockWidgetArea, QStringLiteral("seriesDock"));
    m_seriesDock->hide();  // shown when a folder holds more than one series
    connect(m_seriesPicker, &SeriesPicker::seriesChosen, this, [this](const QString& uid) {
        if (m_session->series() && QString::fromStdString(m_session->series()->seriesUid) == uid)
            return;
        openFolder(m_studyFolder, uid);
    });
    auto* logDock = dock(tr("Log"), m_log, Qt::LeftDockWidgetArea, QStringLiteral("logDock"));
    logDock->setMaximumHeight(260);
    dock(tr("Sampling"), m_controls, Qt::RightDockWidgetArea, QStringLiteral("samplingDock"));
    dock(tr("Samples and uncertainty"), m_results, Qt::RightDockWidgetArea,
         QStringLiteral("resultsDock"));
    dock(tr("ODE trajectory"), m_player, Qt::BottomDockWidgetArea,
         QStringLiteral("trajectoryDock"));
    buildPacsDock();
}

void MainWindow::onSessionChanged(review::Changes changes) {
    const auto& s = *m_session;
    if (changes.has(review::Change::Message)) {
        const auto text = QString::fromStdString(s.events().message().text);
        if (s.events().message().error) {
            logger("ui")->error("{}", s.events().message().text);
            m_message->setText(
                QStringLiteral("<span style='color:#e05050'>%1</span>").arg(text.toHtmlEscaped()));
        } else {
            m_message->setText(text.toHtmlEscaped());
        }
    }
    if (changes.has(review::Change::Series)) {
        m_view->setSeries(s.series());
        if (s.series() && !s.series()->windows.empty())
            m_view->setWindow(-600, 1500);  // lung window
    }
    if ((changes.has(review::Change::Selection)) && !s.box().empty() &&
        m_view->slice() != s.box().slice)
        m_view->setSlice(s.box().slice);  // an undone or selected box is shown where it is
    if (changes.any(review::Change::Result | review::Change::Selection)) {
        if (const auto* landed = s.result()) {
            m_results->setResult(landed->crop.image, landed->result,
                                 QString::fromStdString(landed->modelLabel));
            if (s.series() && !landed->slices.empty()) {
                // The experts' volumes the signed-in expert may see (blind review: their own).
                const auto spacing = review::spacingOf(*s.series());
                std::vector<std::pair<QString, double>> experts;
                for (const auto* layer : s.shownLayers()) {
                    std::vector<std::pair<int, const common::Mask*>> slices;
                    for (const auto& [slice, mask] : layer->slices)
                        slices.emplace_back(slice, &mask);
                    if (const auto volume = review::volumeMm3(slices, spacing))
                        experts.emplace_back(QString::fromStdString(layer->expert.name), *volume);
                }
                m_results->setMeasures(review::measureNodule(landed->slices, spacing),
                                       static_cast<int>(landed->slices.size()),
                                       !s.series()->geometry.hasSpacing, experts);
            }
            m_player->setFrames(landed->trajectory);
            m_player->setCaption(QString::fromStdString(review::describePath(
                landed->options,
                landed->model ? landed->model->options() : engine::VelocityUNetOptions{})));
        } else {
            m_results->clear();
            m_player->setFrames({});
        }
    }
    if (changes.any(review::Change::Layers | review::Change::Result | review::Change::Selection))
        m_results->setLayers(s.layers());
    if (changes.has(review::Change::Undo)) {
        m_undoAction->setEnabled(s.undoStack().canUndo());
        m_redoAction->setEnabled(s.undoStack().canRedo());
        m_undoAction->setToolTip(
            tr("Undo %1").arg(QString::fromStdString(s.undoStack().undoText())).trimmed());
        m_redoAction->setToolTip(
            tr("Redo %1").arg(QString::fromStdString(s.undoStack().redoText())).trimmed());
    }
    if (changes.any(review::Change::Lesions | review::Change::Store | review::Change::Selection))
        reloadBrowser();
    refreshExpertViews(changes);
    if (changes.any(review::Change::Model | review::Change::Store)) refreshModelVersions();
    if (changes.has(review::Change::Model))
        m_controls->setDefaultOptions(m_session->defaultSampling());
    if (changes.any(review::Change::Model | review::Change::Selection | review::Change::Result |
                    review::Change::Annotations | review::Change::Series))
        refreshSamplingCost();
    refreshScene();
}

void MainWindow::refreshSamplingCost() {
    m_controls->setCostText(QString::fromStdString(
        review::describeCost(m_session->samplingCost(m_controls->options()))));
}

void MainWindow::refreshScene() {
    m_view->setScene(
        buildScene(*m_session, m_view->slice(), m_runner->livePreview(), *m_player, m_agreement));
}

void MainWindow::reloadBrowser() {
    auto* reader = m_session->store().reader();
    if (!reader) return;
    try {
        m_browser->reload(*reader);
        if (auto* item = m_browser->findItem(StudyBrowser::Kind::Lesion, m_session->lesionId()))
            m_browser->setCurrentIndex(item->index());
    } catch (const std::exception& e) {
        m_session->events().say(std::string("Cannot read the annotation store: ") + e.what(), true);
    }
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    if (m_help && centralWidget()) m_help->setGeometry(centralWidget()->geometry());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    // Closing cancels every task (a run or a load would otherwise hold the
    // process), and commits what the store still has queued.
    m_tasks->cancelAllAndWait();
    m_session->store().flush();
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    m_controls->saveSettings();
    settings.setValue("sampling/secondsPerPass", m_session->secondsPerPass());
    QMainWindow::closeEvent(event);
}

bool MainWindow::loadModel(const QString& path, const QString& device) {
    try {
        setModel(engine::Model::load(path.toStdString(), device.toStdString()));
        return true;
    } catch (const std::exception& e) {
        m_session->models().set(nullptr);
        reportError(tr("Cannot load the model"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::setModel(std::shared_ptr<const engine::Model> model) {
    if (model) {
        const auto side = model->options().image_size();
        logger("sampling")
            ->info("model {} ({} parameters, {}x{} input, {}) on {}", model->source(),
                   model->parameterCount(), side, side, model->provenance().preset,
                   model->device());
    }
    m_session->models().set(std::move(model));
}

bool MainWindow::openStore(const QString& path, bool adoptActiveModel) {
    const bool opened = m_session->openStore(path.toStdString());
    if (opened) logger("store")->info("{}", m_session->events().message().text);
    if (opened && adoptActiveModel) m_session->models().adoptActive();
    return opened;
}

void MainWindow::markLesion(const QRect& box, int slice) {
    m_session->markLesion(
        {{box.x(), box.y(), box.width(), box.height()}, box.isEmpty() ? -1 : slice});
}

void MainWindow::startSampling() { m_session->requestSampling(m_controls->options()); }

void MainWindow::cancelTask() {
    m_session->cancelSampling();
    m_tasks->cancelKind(TaskManager::Kind::Loading);
}

void MainWindow::reportError(const QString& what, const QString& detail) {
    m_session->events().say(QStringLiteral("%1: %2").arg(what, detail).toStdString(), true);
}

void MainWindow::stepSample(int delta) {
    const auto* landed = m_session->result();
    const int n = landed ? static_cast<int>(landed->result.masks.size()) : 0;
    if (n == 0) return;
    auto layers = m_session->layers();
    if (layers.selectedSample < 0)
        layers.selectedSample = delta > 0 ? 0 : n - 1;
    else
        layers.selectedSample = (layers.selectedSample + delta + n) % n;
    m_session->setLayers(layers);
}

bool MainWindow::isBusy() const { return m_tasks->isBusy(); }
QRect MainWindow::roi() const {
    const auto& b = m_session->box();
    return b.empty() ? QRect() : QRect(b.box.x, b.box.y, b.box.width, b.box.height);
}
int MainWindow::roiSlice() const { return m_session->box().empty() ? -1 : m_session->box().slice; }
std::int64_t MainWindow::lesionId() const { return m_session->lesionId(); }
std::int64_t MainWindow::seriesId() const { return m_session->seriesId(); }
const engine::SamplingResult* MainWindow::result() const {
    const auto* landed = m_session->result();
    return landed ? &landed->result : nullptr;
}
QString MainWindow::statusText() const {
    return QString::fromStdString(m_session->events().message().text);
}
bool MainWindow::hasModel() const { return m_session->models().current() != nullptr; }
QProgressBar* MainWindow::progressBar() const { return m_taskStatus->progressBar(); }

}  // namespace flowseg::ui
