#include "flowseg/ui/expert_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "flowseg/render/overlay_renderer.h"

namespace flowseg::ui {

namespace {

QIcon swatch(const QColor& colour) {
    QPixmap pixmap(12, 12);
    pixmap.fill(colour);
    return QIcon(pixmap);
}

QString mm(double value) { return QString::number(value, 'f', 1); }

}  // namespace

ExpertPanel::ExpertPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_who = new QLabel;
    m_signIn = new QPushButton(tr("Sign in..."));
    top->addWidget(m_who, 1);
    top->addWidget(m_signIn);
    layout->addLayout(top);
    m_mode = new QComboBox;
    m_mode->addItem(tr("Open review: every expert's outline"),
                    static_cast<int>(review::ReviewMode::Open));
    m_mode->addItem(tr("Blind review: only my outline until I complete the lesion"),
                    static_cast<int>(review::ReviewMode::Blind));
    layout->addWidget(m_mode);
    m_legend = new QTreeWidget;
    m_legend->setHeaderLabels({tr("Expert"), tr("Role"), tr("State")});
    m_legend->setRootIsDecorated(false);
    m_legend->setMaximumHeight(130);
    m_legend->setAccessibleName(tr("Experts of this lesion"));
    layout->addWidget(m_legend);
    m_measures = new QTableWidget(0, 6);
    m_measures->setHorizontalHeaderLabels({tr("Outline"), tr("Slice"), tr("Longest mm"),
                                           tr("Perpendicular mm"), tr("Area mm²"),
                                           tr("Volume mm³")});
    m_measures->verticalHeader()->hide();
    m_measures->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_measures->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_measures, 1);

    connect(m_signIn, &QPushButton::clicked, this, &ExpertPanel::signInRequested);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        Q_EMIT modeEdited(static_cast<review::ReviewMode>(m_mode->currentData().toInt()));
    });
    connect(m_legend, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int column) {
        if (column != 0) return;
        // Queued: the session's answer rebuilds this legend, item included, which
        // must not happen while the tree is still inside the item's change.
        QMetaObject::invokeMethod(
            this,
            [this, name = item->text(0), visible = item->checkState(0) == Qt::Checked] {
                Q_EMIT visibilityEdited(name, visible);
            },
            Qt::QueuedConnection);
    });
}

QString ExpertPanel::signedInText() const { return m_who->text(); }

void ExpertPanel::show(const review::ReviewSession& session,
                       const review::LesionAgreement& agreement) {
    const auto& expert = session.expert();
    m_who->setText(expert.name.empty() ? tr("Not signed in")
                                       : tr("Signed in: %1 (%2)")
                                             .arg(QString::fromStdString(expert.name),
                                                  QString::fromStdString(expert.role)));
    {
        const QSignalBlocker block(m_mode);
        m_mode->setCurrentIndex(m_mode->findData(static_cast<int>(session.reviewMode())));
    }
    const QSignalBlocker block(m_legend);
    m_legend->clear();
    const auto all = session.outlines().layers();
    const auto shown = session.shownLayers();
    const bool open = session.reviewMode() == review::ReviewMode::Open;
    for (size_t i = 0; i < all.size(); ++i) {
        const auto* layer = all[i];
        const bool visible = std::find(shown.begin(), shown.end(), layer) != shown.end();
        if (!open && !visible) continue;  // blind review: not even their names
        auto* item =
            new QTreeWidgetItem(m_legend, {QString::fromStdString(layer->expert.name),
                                           QString::fromStdString(layer->expert.role),
                                           QString::fromStdString(db::displayName(layer->state))});
        item->setIcon(0, swatch(render::expertColour(i)));
        if (open) item->setCheckState(0, layer->visible ? Qt::Checked : Qt::Unchecked);
    }
    m_measures->setRowCount(0);
    const bool nominal = session.series() && !session.series()->geometry.hasSpacing;
    const auto addRow = [&](const QStringList& cells) {
        const int row = m_measures->rowCount();
        m_measures->insertRow(row);
        for (int c = 0; c < cells.size(); ++c)
            m_measures->setItem(row, c, new QTableWidgetItem(cells[c]));
    };
    for (const auto& m : agreement.measures) {
        if (!open && std::none_of(shown.begin(), shown.end(),
                                  [&](const auto* l) { return l->expert.name == m.expert; }))
            continue;
        for (const auto& [slice, o] : m.slices)
            addRow({QString::fromStdString(m.expert), QString::number(slice + 1), mm(o.longest.mm),
                    mm(o.perpendicular.mm), mm(o.areaMm2),
                    m.volumeMm3 ? mm(*m.volumeMm3) : QStringLiteral("—")});
    }
    if (agreement.sampleLongest && session.result())
        addRow({tr("samples (range)"), QString::number(session.result()->crop.slice + 1),
                tr("%1–%2").arg(mm(agreement.sampleLongest->min), mm(agreement.sampleLongest->max)),
                tr("%1–%2").arg(mm(agreement.samplePerpendicular->min),
                                mm(agreement.samplePerpendicular->max)),
                tr("%1–%2").arg(mm(agreement.sampleArea->min), mm(agreement.sampleArea->max)),
                QStringLiteral("—")});
    m_measures->setToolTip(
        nominal
            ? tr("Nominal millimetres: the series gives no pixel spacing (1 mm per pixel assumed)")
            : QString());
}

}  // namespace flowseg::ui
