// Construction of the review window: docks, actions and shortcuts, store and model.
#include "flowseg/ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>

#include <spdlog/spdlog.h>

#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/series.h"
#include "flowseg/engine/model.h"
#include "flowseg/ui/help_overlay.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/sampling_task.h"
#include "flowseg/ui/series_load_task.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/study_browser.h"
#include "flowseg/ui/trajectory_player.h"

namespace flowseg::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("FlowSeg Review"));
    setObjectName(QStringLiteral("FlowSegReviewMainWindow"));
    m_undo = new QUndoStack(this);
    m_view = new SliceView;
    setCentralWidget(m_view);
    m_help = new HelpOverlay(this);
    buildDocks();
    buildActions();

    m_message = new QLabel;
    m_cursor = new QLabel;
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(220);
    m_progress->setRange(0, 1000);
    m_progress->hide();
    m_cancel = new QToolButton;
    m_cancel->setText(tr("Cancel (Esc)"));
    m_cancel->hide();
    statusBar()->addWidget(m_message, 1);
    statusBar()->addPermanentWidget(m_cursor);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, &MainWindow::cancelTask);

    connect(m_view, &SliceView::cursorInfoChanged, m_cursor, &QLabel::setText);
    connect(m_view, &SliceView::sliceChanged, this, [this] { refreshScene(); });
    connect(m_view, &SliceView::roiDrawn, this, [this](const QRect& box) { markLesion(box, m_view->slice()); });
    connect(m_results, &ResultsPanel::displayChanged, this, &MainWindow::refreshScene);
    connect(m_player, &TrajectoryPlayer::displayChanged, this, &MainWindow::refreshScene);
    connect(m_controls, &SamplingControls::sampleRequested, this, &MainWindow::startSampling);
    connect(m_controls, &SamplingControls::optionsChanged, this, [this] { m_controls->saveSettings(); });
    connect(m_browser, &StudyBrowser::seriesActivated, this, [this](std::int64_t id) { openStoredSeries(id); });
    connect(m_browser, &StudyBrowser::lesionActivated, this, [this](std::int64_t lesionId, std::int64_t seriesId) {
        if (!m_db) return;
        const auto lesion = db::LesionRepository(*m_db).find(lesionId);
        if (!lesion) return;
        auto select = [this, lesion] {
            m_undo->clear();
            m_lesionId = lesion->id;
            applyRoi(QRect(lesion->box.x, lesion->box.y, lesion->box.width, lesion->box.height), lesion->firstSlice);
            m_view->setSlice(lesion->firstSlice);
            const QRectF box(lesion->box.x, lesion->box.y, lesion->box.width, lesion->box.height);
            m_view->focusOn(box.adjusted(-box.width(), -box.height(), box.width(), box.height()), 0.8);
            refreshScene();
        };
        if (seriesId == m_seriesId && m_series) select();
        else {
            auto connection = std::make_shared<QMetaObject::Connection>();
            *connection = connect(this, &MainWindow::seriesLoaded, this, [connection, select] {
                QObject::disconnect(*connection);
                select();
            });
            openStoredSeries(seriesId);
        }
    });

    m_controls->loadSettings();
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    logger("ui")->info("FlowSeg Review started");
    showMessage(tr("Open a DICOM folder (Ctrl+O) or pick a series in the study browser. F1 lists the shortcuts."));
}

MainWindow::~MainWindow() {
    for (Task* task : {static_cast<Task*>(m_sampling.data()), static_cast<Task*>(m_loading.data())}) {
        if (!task) continue;
        task->cancel();
        task->waitForFinished();
    }
}

void MainWindow::buildDocks() {
    auto dock = [this](const QString& title, QWidget* widget, Qt::DockWidgetArea area, const QString& name) {
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
    auto* logDock = dock(tr("Log"), m_log, Qt::LeftDockWidgetArea, QStringLiteral("logDock"));
    logDock->setMaximumHeight(260);
    dock(tr("Sampling"), m_controls, Qt::RightDockWidgetArea, QStringLiteral("samplingDock"));
    dock(tr("Samples and uncertainty"), m_results, Qt::RightDockWidgetArea, QStringLiteral("resultsDock"));
    dock(tr("ODE trajectory"), m_player, Qt::BottomDockWidgetArea, QStringLiteral("trajectoryDock"));
}

void MainWindow::buildActions() {
    QList<QAction*> all;
    auto add = [this, &all](QMenu* menu, const QString& text, const QList<QKeySequence>& keys, auto slot) {
        auto* action = new QAction(text, this);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        if (menu) menu->addAction(action);
        all << action;
        return action;
    };
    auto* file = menuBar()->addMenu(tr("&File"));
    add(file, tr("Open DICOM folder..."), {QKeySequence::Open}, [this] {
        const auto folder = QFileDialog::getExistingDirectory(this, tr("Open DICOM folder"));
        if (!folder.isEmpty()) openFolder(folder);
    });
    add(file, tr("Open annotation store..."), {QKeySequence(tr("Ctrl+Shift+O"))}, [this] {
        const auto path = QFileDialog::getSaveFileName(this, tr("Open or create annotation store"), {},
                                                       tr("FlowSeg store (*.flowseg *.sqlite *.db)"), nullptr,
                                                       QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty()) openStore(path);
    });
    add(file, tr("Load model..."), {QKeySequence(tr("Ctrl+M"))}, [this] {
        const auto path = QFileDialog::getOpenFileName(this, tr("Load model"), {}, tr("FlowSeg model (*.fsm)"));
        if (!path.isEmpty()) loadModel(path);
    });
    file->addSeparator();
    add(file, tr("Quit"), {QKeySequence::Quit}, [this] { close(); });

    auto* edit = menuBar()->addMenu(tr("&Edit"));
    // Slicer's segment editor: z / y undo and redo, besides the platform keys.
    auto* undo = add(edit, tr("Undo"), {QKeySequence::Undo, QKeySequence(Qt::Key_Z)}, [this] { m_undo->undo(); });
    auto* redo = add(edit, tr("Redo"), {QKeySequence::Redo, QKeySequence(Qt::Key_Y)}, [this] { m_undo->redo(); });
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QAction::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QAction::setEnabled);
    undo->setEnabled(false);
    redo->setEnabled(false);

    auto* view = menuBar()->addMenu(tr("&View"));
    add(view, tr("Next slice"), {QKeySequence(Qt::Key_Up), QKeySequence(Qt::Key_Right)}, [this] { m_view->stepSlice(1); });
    add(view, tr("Previous slice"), {QKeySequence(Qt::Key_Down), QKeySequence(Qt::Key_Left)},
        [this] { m_view->stepSlice(-1); });
    add(view, tr("Zoom in"), {QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)}, [this] { m_view->zoomBy(1.25); });
    add(view, tr("Zoom out"), {QKeySequence(Qt::Key_Minus)}, [this] { m_view->zoomBy(0.8); });
    add(view, tr("Reset view"), {QKeySequence(Qt::Key_R)}, [this] { m_view->resetView(); });
    const auto presets = dicom::standardWindows();
    for (int i = 0; i < static_cast<int>(presets.size()) && i < 9; ++i) {
        const auto preset = presets[static_cast<size_t>(i)];
        add(view, tr("Window: %1").arg(QString::fromStdString(preset.name)), {QKeySequence(Qt::Key_1 + i)},
            [this, preset] { m_view->setWindow(preset.center, preset.width); });
    }
    add(view, tr("Next heatmap (variance, entropy, p, none)"), {QKeySequence(Qt::Key_H)}, [this] {
        m_results->setHeatmap(static_cast<ResultsPanel::Heatmap>((static_cast<int>(m_results->heatmap()) + 1) % 4));
    });
    add(view, tr("Next sample in the gallery"), {QKeySequence(Qt::Key_BracketRight)}, [this] {
        if (m_results->sampleCount() > 0) m_results->selectSample((m_results->selectedSample() + 1) % m_results->sampleCount());
    });
    add(view, tr("Previous sample in the gallery"), {QKeySequence(Qt::Key_BracketLeft)}, [this] {
        const int n = m_results->sampleCount();
        if (n > 0) m_results->selectSample((m_results->selectedSample() - 1 + n) % n);
    });
    add(view, tr("Play / pause the trajectory"), {QKeySequence(Qt::Key_Space)}, [this] { m_player->togglePlay(); });

    auto* tools = menuBar()->addMenu(tr("&Lesion"));
    add(tools, tr("Mark lesion: drag a box"), {QKeySequence(Qt::Key_D)}, [this] {
        m_view->setTool(SliceView::Tool::Roi);
        showMessage(tr("Drag a box around the lesion."));
    });
    add(tools, tr("Window/level tool: drag"), {QKeySequence(Qt::Key_W)},
        [this] { m_view->setTool(SliceView::Tool::WindowLevel); });
    add(tools, tr("Sample the marked lesion"), {QKeySequence(Qt::Key_S)}, [this] { startSampling(); });
    add(tools, tr("Cancel the running task"), {QKeySequence(Qt::Key_Escape)}, [this] {
        if (m_help->isVisible()) m_help->hide();
        else cancelTask();
    });
    add(tools, tr("Review state: completed"), {QKeySequence(Qt::Key_C)},
        [this] { setReviewState(static_cast<int>(db::ReviewState::Completed)); });
    add(tools, tr("Review state: flagged"), {QKeySequence(Qt::Key_F)},
        [this] { setReviewState(static_cast<int>(db::ReviewState::Flagged)); });

    auto* help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("Keyboard shortcuts"), {QKeySequence(Qt::Key_F1), QKeySequence(Qt::Key_Question)}, [this] {
        m_help->setGeometry(centralWidget()->geometry());
        m_help->setVisible(!m_help->isVisible());
        m_help->raise();
    });
    m_help->setActions(all);
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    if (m_help && centralWidget()) m_help->setGeometry(centralWidget()->geometry());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    m_controls->saveSettings();
    QMainWindow::closeEvent(event);
}

bool MainWindow::loadModel(const QString& path, const QString& device) {
    try {
        setModel(engine::Model::load(path.toStdString(), device.toStdString()));
        return true;
    } catch (const std::exception& e) {
        m_model.reset();
        showError(tr("Cannot load the model"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::setModel(std::shared_ptr<const engine::Model> model) {
    m_model = std::move(model);
    if (!m_model) return;
    const auto side = m_model->options().image_size();
    logger("sampling")->info("model {} ({} parameters, {}x{} input, {}) on {}", m_model->source(),
                             m_model->parameterCount(), side, side, m_model->provenance().preset, m_model->device());
    showMessage(tr("Model %1 ready on %2.")
                    .arg(QString::fromStdString(m_model->source()), QString::fromStdString(m_model->device())));
}

bool MainWindow::openStore(const QString& path) {
    try {
        m_db = std::make_unique<db::Database>(db::Database::open(path.toStdString(), db::OpenMode::Create));
        logger("store")->info("annotation store {} (schema {})", path.toStdString(), m_db->schemaVersion());
        reloadBrowser();
        return true;
    } catch (const std::exception& e) {
        m_db.reset();
        showError(tr("Cannot open the annotation store"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::reloadBrowser() {
    if (!m_db) return;
    try {
        m_browser->reload(*m_db);
        if (auto* item = m_browser->findItem(StudyBrowser::Kind::Lesion, m_lesionId)) m_browser->setCurrentIndex(item->index());
    } catch (const std::exception& e) {
        showError(tr("Cannot read the annotation store"), QString::fromStdString(e.what()));
    }
}

void MainWindow::showError(const QString& what, const QString& detail) {
    const auto text = QStringLiteral("%1: %2").arg(what, detail);
    logger("ui")->error("{}", text.toStdString());
    m_lastMessage = text;
    m_message->setText(QStringLiteral("<span style='color:#e05050'>%1</span>").arg(text.toHtmlEscaped()));
}

void MainWindow::showMessage(const QString& text) {
    m_lastMessage = text;
    m_message->setText(text.toHtmlEscaped());
}

QString MainWindow::statusText() const { return m_lastMessage; }

}  // namespace flowseg::ui
