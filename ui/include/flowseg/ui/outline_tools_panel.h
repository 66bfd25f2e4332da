#pragma once
// The outline tools (3D Slicer's Segment Editor, in short): brush, eraser,
// threshold brush with its HU range, polygon / freehand, fill holes, and the
// model's sample or majority accepted as a starting outline. Shows the session's
// tool settings and forwards edits and commands.

#include <QWidget>

#include "flowseg/review/review_session.h"

class QButtonGroup;
class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace flowseg::ui {

class OutlineToolsPanel : public QWidget {
    Q_OBJECT
public:
    explicit OutlineToolsPanel(QWidget* parent = nullptr);
    /// Shows the session's settings (no toolsEdited follows).
    void setTools(const review::ToolSettings& tools, bool spacingKnown);
    [[nodiscard]] review::ToolSettings tools() const;

    QPushButton* toolButton(review::OutlineTool tool) const;
    QDoubleSpinBox* brushSizeBox() const { return m_radius; }
    QPushButton* fillHolesButton() const { return m_fillHoles; }
    QPushButton* acceptSampleButton() const { return m_acceptSample; }
    QPushButton* acceptMajorityButton() const { return m_acceptMajority; }

Q_SIGNALS:
    void toolsEdited(const flowseg::review::ToolSettings& tools);
    void fillHolesRequested();
    void acceptSampleRequested();
    void acceptMajorityRequested();

private:
    QButtonGroup* m_group;
    QDoubleSpinBox* m_radius;
    QDoubleSpinBox* m_low;
    QDoubleSpinBox* m_high;
    QLabel* m_radiusNote;
    QPushButton* m_fillHoles;
    QPushButton* m_acceptSample;
    QPushButton* m_acceptMajority;
};

}  // namespace flowseg::ui
