#include "flowseg/ui/outline_tools_panel.h"

#include <QButtonGroup>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace flowseg::ui {

namespace {

struct ToolEntry {
    review::OutlineTool tool;
    const char* text;
    const char* tip;
};

constexpr ToolEntry kTools[] = {
    {review::OutlineTool::None, "Navigate (W)", "No outline tool: drag for window/level"},
    {review::OutlineTool::Brush, "Brush (B)", "Paint the outline; Shift+wheel changes the size"},
    {review::OutlineTool::Eraser, "Eraser (E)", "Erase from the outline"},
    {review::OutlineTool::ThresholdBrush, "Threshold brush (T)",
     "Paint only pixels within the HU range"},
    {review::OutlineTool::Polygon, "Polygon (P)",
     "Click vertices and double-click (or Enter), or drag freehand"},
};

}  // namespace

OutlineToolsPanel::OutlineToolsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* grid = new QGridLayout;
    m_group = new QButtonGroup(this);
    m_group->setExclusive(true);
    int index = 0;
    for (const auto& entry : kTools) {
        auto* button = new QPushButton(tr(entry.text));
        button->setCheckable(true);
        button->setToolTip(tr(entry.tip));
        m_group->addButton(button, static_cast<int>(entry.tool));
        grid->addWidget(button, index / 2, index % 2);
        ++index;
    }
    layout->addLayout(grid);
    auto* form = new QFormLayout;
    m_radius = new QDoubleSpinBox;
    m_radius->setRange(0.25, 50);
    m_radius->setSingleStep(0.5);
    m_radius->setDecimals(2);
    m_radius->setSuffix(tr(" mm"));
    m_radiusNote = new QLabel;
    m_low = new QDoubleSpinBox;
    m_high = new QDoubleSpinBox;
    for (auto* box : {m_low, m_high}) {
        box->setRange(-1024, 3071);
        box->setDecimals(0);
        box->setSingleStep(25);
        box->setSuffix(tr(" HU"));
    }
    form->addRow(tr("Brush radius"), m_radius);
    form->addRow(QString(), m_radiusNote);
    form->addRow(tr("Threshold from"), m_low);
    form->addRow(tr("to"), m_high);
    layout->addLayout(form);
    m_fillHoles = new QPushButton(tr("Fill holes (O)"));
    m_acceptSample = new QPushButton(tr("Accept the selected sample (A)"));
    m_acceptSample->setToolTip(
        tr("The sample picked in the gallery becomes your editable outline"));
    m_acceptMajority = new QPushButton(tr("Accept the samples' majority (Shift+A)"));
    for (auto* button : {m_fillHoles, m_acceptSample, m_acceptMajority}) layout->addWidget(button);
    layout->addStretch(1);

    connect(m_group, &QButtonGroup::idClicked, this, [this] { Q_EMIT toolsEdited(tools()); });
    for (auto* box : {m_radius, m_low, m_high})
        connect(box, &QDoubleSpinBox::valueChanged, this, [this] { Q_EMIT toolsEdited(tools()); });
    connect(m_fillHoles, &QPushButton::clicked, this, &OutlineToolsPanel::fillHolesRequested);
    connect(m_acceptSample, &QPushButton::clicked, this, &OutlineToolsPanel::acceptSampleRequested);
    connect(m_acceptMajority, &QPushButton::clicked, this,
            &OutlineToolsPanel::acceptMajorityRequested);
    setTools({}, true);
}

void OutlineToolsPanel::setTools(const review::ToolSettings& tools, bool spacingKnown) {
    const QSignalBlocker a(m_group), b(m_radius), c(m_low), d(m_high);
    if (auto* button = m_group->button(static_cast<int>(tools.tool))) button->setChecked(true);
    m_radius->setValue(tools.brushRadiusMm);
    m_low->setValue(tools.lowHu);
    m_high->setValue(tools.highHu);
    m_radiusNote->setText(spacingKnown ? QString()
                                       : tr("nominal mm: the series gives no pixel spacing"));
    m_radiusNote->setVisible(!spacingKnown);
}

review::ToolSettings OutlineToolsPanel::tools() const {
    review::ToolSettings t;
    t.tool = static_cast<review::OutlineTool>(std::max(0, m_group->checkedId()));
    t.brushRadiusMm = m_radius->value();
    t.lowHu = m_low->value();
    t.highHu = m_high->value();
    return t;
}

QPushButton* OutlineToolsPanel::toolButton(review::OutlineTool tool) const {
    return qobject_cast<QPushButton*>(m_group->button(static_cast<int>(tool)));
}

}  // namespace flowseg::ui
