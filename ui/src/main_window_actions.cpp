// The review window's menus, actions and shortcuts (3D Slicer's where it has one).
// Each action forwards to the session or a view; none decides anything itself.
#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QToolBar>

#include "flowseg/dicom/series.h"
#include "flowseg/ui/about.h"
#include "flowseg/ui/help_overlay.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/search_folders_dialog.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/training_panel.h"
#include "flowseg/ui/trajectory_player.h"

namespace flowseg::ui {

void MainWindow::buildActions() {
    QList<QAction*> all;
    const auto add = [this, &all](QMenu* menu, const QString& text, const QList<QKeySequence>& keys,
                                  std::function<void()> slot) -> QAction* {
        auto* action = new QAction(text, this);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, std::move(slot));
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
    m_pacsDock->toggleViewAction()->setText(tr("PACS..."));
    m_pacsDock->toggleViewAction()->setShortcut(QKeySequence(tr("Ctrl+Shift+P")));
    file->addAction(m_pacsDock->toggleViewAction());
    add(file, tr("Open annotation store..."), {QKeySequence(tr("Ctrl+Shift+O"))}, [this] {
        const auto path =
            QFileDialog::getSaveFileName(this, tr("Open or create annotation store"), {},
                                         tr("FlowSeg store (*.flowseg *.sqlite *.db)"), nullptr,
                                         QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty()) openStore(path);
    });
    add(file, tr("Connect to department server..."), {}, [this] {
        // The URI is remembered without a password; the password lives in this
        // process only (libpq reads PGPASSWORD), or in ~/.pgpass where IT put one.
        QSettings settings;
        bool ok = false;
        const auto uri = QInputDialog::getText(
            this, tr("Department store"), tr("Server store (postgresql://LOGIN@HOST/DATABASE):"),
            QLineEdit::Normal, settings.value("store/server").toString(), &ok);
        if (!ok || uri.isEmpty()) return;
        const auto password = QInputDialog::getText(this, tr("Department store"),
                                                    tr("Password (leave empty to use ~/.pgpass):"),
                                                    QLineEdit::Password, {}, &ok);
        if (!ok) return;
        if (!password.isEmpty()) qputenv("PGPASSWORD", password.toUtf8());
        if (openStore(uri)) settings.setValue("store/server", uri);
    });
    add(file, tr("DICOM search folders..."), {}, [this] {
        QSettings settings;
        SearchFoldersDialog dialog(settings.value("dicom/searchFolders").toStringList(), this);
        if (dialog.exec() == QDialog::Accepted)
            settings.setValue("dicom/searchFolders", dialog.folders());
    });
    add(file, tr("Load model..."), {QKeySequence(tr("Ctrl+M"))}, [this] {
        const auto path =
            QFileDialog::getOpenFileName(this, tr("Load model"), {}, tr("FlowSeg model (*.fsm)"));
        if (!path.isEmpty()) loadModel(path);
    });
    add(file, tr("Import LIDC reader XML..."), {}, [this] {
        const auto xml = QFileDialog::getOpenFileName(
            this, tr("Import the LIDC readers of the open series"), {}, tr("LIDC XML (*.xml)"));
        if (!xml.isEmpty()) importReaders(true, {xml});
    });
    add(file, tr("Import DICOM SEG readers..."), {}, [this] {
        const auto segs = QFileDialog::getOpenFileNames(
            this, tr("Import readers' DICOM SEG files of the open series"), {},
            tr("DICOM SEG (*.dcm *.seg);;All files (*)"));
        if (!segs.isEmpty()) importReaders(false, segs);
    });
    file->addSeparator();
    add(file, tr("Export report (PDF)..."), {QKeySequence(tr("Ctrl+P"))}, [this] {
        const auto pdf = QFileDialog::getSaveFileName(
            this, tr("Uncertainty report of the open study"),
            QStringLiteral("uncertainty-report.pdf"), tr("PDF (*.pdf)"));
        if (!pdf.isEmpty()) exportReport(pdf, {});
    });
    add(file, tr("Export masks, maps and metrics (PNG, NIfTI, DICOM SEG, CSV)..."), {}, [this] {
        const auto folder =
            QFileDialog::getExistingDirectory(this, tr("Export the open study's lesions into"));
        if (!folder.isEmpty()) exportReport({}, folder);
    });
    file->addSeparator();
    add(file, tr("Quit"), {QKeySequence::Quit}, [this] { close(); });

    auto* edit = menuBar()->addMenu(tr("&Edit"));
    // Slicer's segment editor: z / y undo and redo, besides the platform keys.
    m_undoAction = add(edit, tr("Undo"), {QKeySequence::Undo, QKeySequence(Qt::Key_Z)},
                       [this] { m_session->undoStack().undo(); });
    m_redoAction = add(edit, tr("Redo"), {QKeySequence::Redo, QKeySequence(Qt::Key_Y)},
                       [this] { m_session->undoStack().redo(); });
    m_undoAction->setEnabled(false);
    m_redoAction->setEnabled(false);

    auto* view = menuBar()->addMenu(tr("&View"));
    add(view, tr("Next slice"), {QKeySequence(Qt::Key_Up), QKeySequence(Qt::Key_Right)},
        [this] { m_view->stepSlice(1); });
    add(view, tr("Previous slice"), {QKeySequence(Qt::Key_Down), QKeySequence(Qt::Key_Left)},
        [this] { m_view->stepSlice(-1); });
    add(view, tr("Zoom in"), {QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)},
        [this] { m_view->zoomBy(1.25); });
    add(view, tr("Zoom out"), {QKeySequence(Qt::Key_Minus)}, [this] { m_view->zoomBy(0.8); });
    add(view, tr("Reset view"), {QKeySequence(Qt::Key_R)}, [this] { m_view->resetView(); });
    const auto presets = dicom::standardWindows();
    for (int i = 0; i < static_cast<int>(presets.size()) && i < 9; ++i) {
        const auto& preset = presets[static_cast<size_t>(i)];
        add(view, tr("Window: %1").arg(QString::fromStdString(preset.name)),
            {QKeySequence(Qt::Key_1 + i)},
            [this, preset] { m_view->setWindow(preset.center, preset.width); });
    }
    add(view, tr("Next heatmap (variance, entropy, p, none)"), {QKeySequence(Qt::Key_H)}, [this] {
        auto layers = m_session->layers();
        layers.heatmap = static_cast<review::Heatmap>((static_cast<int>(layers.heatmap) + 1) % 4);
        m_session->setLayers(layers);
    });
    add(view, tr("Next sample in the gallery"), {QKeySequence(Qt::Key_BracketRight)},
        [this] { stepSample(1); });
    add(view, tr("Previous sample in the gallery"), {QKeySequence(Qt::Key_BracketLeft)},
        [this] { stepSample(-1); });
    add(view, tr("Play / pause the trajectory"), {QKeySequence(Qt::Key_Space)},
        [this] { m_player->togglePlay(); });

    auto* tools = menuBar()->addMenu(tr("&Lesion"));
    auto* markAction = add(tools, tr("Mark lesion: drag a box"), {QKeySequence(Qt::Key_D)}, [this] {
        setTool(review::OutlineTool::None);
        m_view->setTool(SliceView::Tool::Roi);
        m_session->events().say("Drag a box around the lesion.", false);
    });
    add(tools, tr("Window/level tool: drag"), {QKeySequence(Qt::Key_W)}, [this] {
        setTool(review::OutlineTool::None);
        m_view->setTool(SliceView::Tool::WindowLevel);
    });
    auto* sampleAction = add(tools, tr("Sample the marked lesion"), {QKeySequence(Qt::Key_S)},
                             [this] { startSampling(); });
    auto* cancelAction =
        add(tools, tr("Cancel the running task"), {QKeySequence(Qt::Key_Escape)}, [this] {
            if (m_help->isVisible())
                m_help->hide();
            else {
                m_view->cancelDrawing();
                cancelTask();
            }
        });
    add(tools, tr("Review state: completed"), {QKeySequence(Qt::Key_C)},
        [this] { m_session->setReviewState(db::ReviewState::Completed); });
    add(tools, tr("Review state: flagged"), {QKeySequence(Qt::Key_F)},
        [this] { m_session->setReviewState(db::ReviewState::Flagged); });

    const auto toolActions = buildExpertActions(menuBar()->addMenu(tr("&Review")), add);

    // Fine-tuning runs for minutes to hours: Esc does not stop it, its own Cancel does.
    auto* model = menuBar()->addMenu(tr("&Model"));
    model->addAction(m_trainingDock->toggleViewAction());
    add(model, tr("Fine-tune on the finished lesions"), {}, [this] {
        review::FineTuneOptions options;
        options.steps = m_trainingPanel->steps();
        startFineTune(options);
    });
    add(model, tr("Pause or resume fine-tuning"), {}, [this] {
        if (m_trainingPanel->pauseButton()->isEnabled()) m_trainingPanel->pauseButton()->toggle();
    });
    add(model, tr("Cancel fine-tuning"), {}, [this] { cancelFineTune(); });

    auto* help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("Keyboard shortcuts"), {QKeySequence(Qt::Key_F1), QKeySequence(Qt::Key_Question)},
        [this] {
            m_help->setGeometry(centralWidget()->geometry());
            m_help->setVisible(!m_help->isVisible());
            m_help->raise();
        });
    add(help, tr("About FlowSeg Review"), {}, [this] {
        QMessageBox::about(
            this, tr("About FlowSeg Review"),
            versionLines(m_session->models().current().get()).join(QStringLiteral("\n")));
    });
    m_help->setActions(all);

    // The toolbar: the actions a review uses most, with their icons.
    const auto icon = [](const char* name) {
        return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
    };
    auto* bar = addToolBar(tr("Tools"));
    bar->setObjectName(QStringLiteral("toolsBar"));
    const std::pair<QAction*, const char*> onBar[] = {
        {markAction, "mark-lesion"}, {sampleAction, "sample"}, {cancelAction, "cancel"}};
    for (const auto& [action, name] : onBar) {
        action->setIcon(icon(name));
        bar->addAction(action);
    }
    bar->addSeparator();
    for (auto* action : toolActions) bar->addAction(action);
}

}  // namespace flowseg::ui
