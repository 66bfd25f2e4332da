#pragma once
// The keyboard help (F1 or ?): every action with its shortcuts, drawn over the
// window, generated from the actions themselves so it cannot go stale.

#include <QList>
#include <QWidget>

class QAction;

namespace flowseg::ui {

class HelpOverlay : public QWidget {
    Q_OBJECT
public:
    explicit HelpOverlay(QWidget* parent);
    void setActions(const QList<QAction*>& actions);
    /// "Sample the marked lesion\tS" lines, as shown.
    [[nodiscard]] QStringList lines() const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QList<QAction*> m_actions;
};

}  // namespace flowseg::ui
