// The review window's expert side: the outline tools, the experts and agreement
// panels, signing in, and their shortcuts (3D Slicer's Segment Editor where it
// has one). Each forwards to the session; the panels show what it holds.
#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QSettings>
#include <QWheelEvent>

#include "flowseg/ui/agreement_panel.h"
#include "flowseg/ui/expert_panel.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/outline_tools_panel.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sign_in_dialog.h"
#include "flowseg/ui/slice_view.h"

namespace flowseg::ui {

void MainWindow::buildExpertDocks() {
    m_toolsPanel = new OutlineToolsPanel;
    m_expertPanel = new ExpertPanel;
    m_agreementPanel = new AgreementPanel;
    const auto dock = [this](const QString& title, QWidget* widget, const QString& name) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        addDockWidget(Qt::LeftDockWidgetArea, d);
        return d;
    };
    auto* tools = dock(tr("Outline tools"), m_toolsPanel, QStringLiteral("toolsDock"));
    auto* experts = dock(tr("Experts"), m_expertPanel, QStringLiteral("expertsDock"));
    auto* agreement = dock(tr("Agreement"), m_agreementPanel, QStringLiteral("agreementDock"));
    tabifyDockWidget(tools, experts);
    tabifyDockWidget(experts, agreement);
    tools->raise();

    connect(m_toolsPanel, &OutlineToolsPanel::toolsEdited, this,
            [this](const review::ToolSettings& tools) { m_session->setTools(tools); });
    connect(m_toolsPanel, &OutlineToolsPanel::fillHolesRequested, this,
            [this] { m_session->fillHoles(m_view->slice()); });
    connect(m_toolsPanel, &OutlineToolsPanel::acceptSampleRequested, this,
            [this] { m_session->acceptSample(m_session->layers().selectedSample); });
    connect(m_toolsPanel, &OutlineToolsPanel::acceptMajorityRequested, this,
            [this] { m_session->acceptMajority(); });
    connect(m_expertPanel, &ExpertPanel::signInRequested, this, &MainWindow::showSignIn);
    connect(m_expertPanel, &ExpertPanel::modeEdited, this,
            [this](review::ReviewMode mode) { m_session->setReviewMode(mode); });
    connect(m_expertPanel, &ExpertPanel::visibilityEdited, this,
            [this](const QString& expert, bool visible) {
                m_session->setExpertVisible(expert.toStdString(), visible);
            });
    connect(m_agreementPanel, &AgreementPanel::consensusEdited, this,
            [this](bool majority, bool staple) {
                auto layers = m_session->layers();
                layers.majorityConsensus = majority;
                layers.stapleConsensus = staple;
                m_session->setLayers(layers);
            });
    connect(m_agreementPanel, &AgreementPanel::recordRequested, this,
            [this] { m_session->recordAgreement(); });
    connect(m_agreementPanel, &AgreementPanel::lesionPicked, this,
            [this](std::int64_t lesionId) { selectStoredLesion(lesionId, m_session->seriesId()); });
    connect(m_view, &SliceView::strokeDrawn, this, [this](const QVector<QPointF>& path) {
        std::vector<review::SlicePoint> points;
        for (const auto& p : path) points.push_back({p.x(), p.y()});
        m_session->stroke(m_view->slice(), points);
    });
    connect(m_view, &SliceView::polygonDrawn, this, [this](const QVector<QPointF>& polygon) {
        std::vector<review::SlicePoint> points;
        for (const auto& p : polygon) points.push_back({p.x(), p.y()});
        m_session->fillPolygon(m_view->slice(), points);
    });
}

QList<QAction*> MainWindow::buildExpertActions(
    QMenu* menu, const std::function<QAction*(QMenu*, const QString&, const QList<QKeySequence>&,
                                              std::function<void()>)>& add) {
    add(menu, tr("Sign in as an expert..."), {QKeySequence(tr("Ctrl+I"))},
        [this] { showSignIn(); });
    add(menu, tr("Blind / open review"), {QKeySequence(Qt::Key_V)}, [this] {
        m_session->setReviewMode(m_session->reviewMode() == review::ReviewMode::Blind
                                     ? review::ReviewMode::Open
                                     : review::ReviewMode::Blind);
    });
    menu->addSeparator();
    auto* brush = add(menu, tr("Brush"), {QKeySequence(Qt::Key_B)},
                      [this] { setTool(review::OutlineTool::Brush); });
    auto* eraser = add(menu, tr("Eraser"), {QKeySequence(Qt::Key_E)},
                       [this] { setTool(review::OutlineTool::Eraser); });
    add(menu, tr("Threshold brush (HU range)"), {QKeySequence(Qt::Key_T)},
        [this] { setTool(review::OutlineTool::ThresholdBrush); });
    auto* polygon = add(menu, tr("Polygon / freehand outline"), {QKeySequence(Qt::Key_P)},
                        [this] { setTool(review::OutlineTool::Polygon); });
    add(menu, tr("Larger brush"),
        {QKeySequence(Qt::SHIFT | Qt::Key_Plus), QKeySequence(Qt::Key_Period)}, [this] {
            auto tools = m_session->tools();
            tools.brushRadiusMm *= 1.25;
            m_session->setTools(tools);
        });
    add(menu, tr("Smaller brush"),
        {QKeySequence(Qt::SHIFT | Qt::Key_Minus), QKeySequence(Qt::Key_Comma)}, [this] {
            auto tools = m_session->tools();
            tools.brushRadiusMm /= 1.25;
            m_session->setTools(tools);
        });
    add(menu, tr("Fill holes"), {QKeySequence(Qt::Key_O)},
        [this] { m_session->fillHoles(m_view->slice()); });
    add(menu, tr("Accept the selected sample as my outline"), {QKeySequence(Qt::Key_A)},
        [this] { m_session->acceptSample(m_session->layers().selectedSample); });
    add(menu, tr("Accept the samples' majority as my outline"),
        {QKeySequence(Qt::SHIFT | Qt::Key_A)}, [this] { m_session->acceptMajority(); });
    add(menu, tr("Record the agreement in the store"), {QKeySequence(tr("Ctrl+R"))},
        [this] { m_session->recordAgreement(); });
    brush->setIcon(QIcon(QStringLiteral(":/icons/brush.svg")));
    eraser->setIcon(QIcon(QStringLiteral(":/icons/eraser.svg")));
    polygon->setIcon(QIcon(QStringLiteral(":/icons/polygon.svg")));
    return {brush, eraser, polygon};
}

void MainWindow::setTool(review::OutlineTool tool) {
    auto tools = m_session->tools();
    tools.tool = tool;
    m_session->setTools(tools);
}

void MainWindow::signIn(const QString& name, const QString& role) {
    m_session->signIn({name.toStdString(), role.toStdString()});
    if (m_session->expert().name != name.toStdString()) return;
    QSettings settings;
    settings.setValue("expert/name", name);
    settings.setValue("expert/role", role);
}

void MainWindow::showSignIn() {
    SignInDialog dialog(QString::fromStdString(m_session->expert().name),
                        QString::fromStdString(m_session->expert().role), this);
    if (dialog.exec() == QDialog::Accepted) signIn(dialog.name(), dialog.role());
}

void MainWindow::refreshExpertViews(review::Changes changes) {
    const auto& s = *m_session;
    if (changes.has(review::Change::Tools) || changes.has(review::Change::Series)) {
        const auto& tools = s.tools();
        m_toolsPanel->setTools(tools, !s.series() || s.series()->geometry.hasSpacing);
        m_view->setBrushRadiusMm(tools.brushRadiusMm);
        switch (tools.tool) {
            case review::OutlineTool::Brush:
            case review::OutlineTool::Eraser:
            case review::OutlineTool::ThresholdBrush:
                m_view->setTool(SliceView::Tool::Brush);
                break;
            case review::OutlineTool::Polygon:
                m_view->setTool(SliceView::Tool::Polygon);
                break;
            case review::OutlineTool::None:
                if (m_view->tool() == SliceView::Tool::Brush ||
                    m_view->tool() == SliceView::Tool::Polygon)
                    m_view->setTool(SliceView::Tool::WindowLevel);
                break;
        }
    }
    constexpr review::Changes kAgreementInputs =
        review::Change::Annotations | review::Change::Result | review::Change::Selection |
        review::Change::Series | review::Change::Expert;
    if (changes.any(kAgreementInputs)) m_agreement = s.agreement();
    if (changes.any(kAgreementInputs | review::Change::Layers)) m_expertPanel->show(s, m_agreement);
    // The queue reads every lesion's newest run from the store: only when those change.
    if (changes.any(kAgreementInputs | review::Change::Lesions | review::Change::Store))
        m_queue = s.ambiguityQueue();
    if (changes.any(kAgreementInputs | review::Change::Layers | review::Change::Lesions |
                    review::Change::Store))
        m_agreementPanel->show(s, m_agreement, m_queue);
}

}  // namespace flowseg::ui
