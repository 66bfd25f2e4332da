#pragma once
// Who reviews and what the experts drew: the signed-in expert (Sign in...), blind
// or open review, a legend of the experts' outlines (colour, state, visibility
// toggle in open review), and each outline's diameters, area and volume in mm
// beside their range across the model's samples.

#include <QWidget>

#include "flowseg/review/review_session.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;
class QTreeWidget;

namespace flowseg::ui {

class ExpertPanel : public QWidget {
    Q_OBJECT
public:
    explicit ExpertPanel(QWidget* parent = nullptr);
    /// Shows the session's experts and `agreement`'s measures.
    void show(const review::ReviewSession& session, const review::LesionAgreement& agreement);

    QPushButton* signInButton() const { return m_signIn; }
    QComboBox* modeBox() const { return m_mode; }
    QTreeWidget* legend() const { return m_legend; }
    QTableWidget* measures() const { return m_measures; }
    [[nodiscard]] QString signedInText() const;

Q_SIGNALS:
    void signInRequested();
    void modeEdited(flowseg::review::ReviewMode mode);
    void visibilityEdited(const QString& expert, bool visible);

private:
    QLabel* m_who;
    QPushButton* m_signIn;
    QComboBox* m_mode;
    QTreeWidget* m_legend;
    QTableWidget* m_measures;
};

}  // namespace flowseg::ui
