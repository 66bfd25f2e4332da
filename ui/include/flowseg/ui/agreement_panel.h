#pragma once
// How far the experts agree on the lesion and with the model: pairwise Dice and
// IoU, the GED between the experts' and the samples' outlines, the samples'
// uncertainty mass, the majority and STAPLE consensus as layers, a button that
// records it all in the store, and the series' lesions most ambiguous first.

#include <QWidget>

#include "flowseg/review/review_session.h"

class QCheckBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace flowseg::ui {

class AgreementPanel : public QWidget {
    Q_OBJECT
public:
    explicit AgreementPanel(QWidget* parent = nullptr);
    /// Shows `agreement` (hidden in blind review until the expert completes) and the queue.
    void show(const review::ReviewSession& session, const review::LesionAgreement& agreement,
              const std::vector<review::RankedLesion>& queue);

    QTableWidget* pairs() const { return m_pairs; }
    QLabel* summary() const { return m_summary; }
    QListWidget* queue() const { return m_queue; }
    QPushButton* recordButton() const { return m_record; }
    QCheckBox* majorityBox() const { return m_majority; }
    QCheckBox* stapleBox() const { return m_staple; }

Q_SIGNALS:
    void consensusEdited(bool majority, bool staple);
    void recordRequested();
    void lesionPicked(std::int64_t lesionId);

private:
    QLabel* m_summary;
    QTableWidget* m_pairs;
    QCheckBox* m_majority;
    QCheckBox* m_staple;
    QPushButton* m_record;
    QListWidget* m_queue;
};

}  // namespace flowseg::ui
