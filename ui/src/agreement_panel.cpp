#include "flowseg/ui/agreement_panel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace flowseg::ui {

AgreementPanel::AgreementPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_pairs = new QTableWidget(0, 4);
    m_pairs->setHorizontalHeaderLabels({tr("Expert"), tr("Expert"), tr("Dice"), tr("IoU")});
    m_pairs->verticalHeader()->hide();
    m_pairs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_pairs->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_pairs->setAccessibleName(tr("Pairwise agreement"));
    layout->addWidget(m_pairs, 1);
    auto* consensus = new QHBoxLayout;
    m_majority = new QCheckBox(tr("Majority outline"));
    m_staple = new QCheckBox(tr("STAPLE consensus"));
    consensus->addWidget(m_majority);
    consensus->addWidget(m_staple);
    layout->addLayout(consensus);
    m_record = new QPushButton(tr("Record agreement in the store"));
    layout->addWidget(m_record);
    layout->addWidget(new QLabel(tr("Most ambiguous first (the model's uncertainty mass):")));
    m_queue = new QListWidget;
    m_queue->setAccessibleName(tr("Lesions, most ambiguous first"));
    layout->addWidget(m_queue, 1);

    const auto consensusChanged = [this] {
        Q_EMIT consensusEdited(m_majority->isChecked(), m_staple->isChecked());
    };
    connect(m_majority, &QCheckBox::toggled, this, consensusChanged);
    connect(m_staple, &QCheckBox::toggled, this, consensusChanged);
    connect(m_record, &QPushButton::clicked, this, &AgreementPanel::recordRequested);
    connect(m_queue, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        Q_EMIT lesionPicked(item->data(Qt::UserRole).toLongLong());
    });
}

void AgreementPanel::show(const review::ReviewSession& session,
                          const review::LesionAgreement& agreement,
                          const std::vector<review::RankedLesion>& queue) {
    {
        const QSignalBlocker a(m_majority), b(m_staple);
        m_majority->setChecked(session.layers().majorityConsensus);
        m_staple->setChecked(session.layers().stapleConsensus);
    }
    const bool hidden = !session.seesOthers();
    m_pairs->setRowCount(0);
    if (hidden) {
        m_summary->setText(
            tr("Blind review: the agreement is shown once you complete the lesion (C)."));
    } else {
        QString text = tr("%n expert(s) outlined this lesion.", nullptr,
                          static_cast<int>(agreement.experts.size()));
        if (agreement.gedExpertsVsSamples)
            text += tr(" GED experts vs samples: %1 (%2).")
                        .arg(*agreement.gedExpertsVsSamples, 0, 'f', 3)
                        .arg(agreement.gedSlices > 1 ? tr("over %1 slices").arg(agreement.gedSlices)
                                                     : tr("one slice"));
        if (session.result())
            text += tr(" Uncertainty mass: %1 px.").arg(agreement.uncertaintyMass, 0, 'f', 1);
        m_summary->setText(text);
        for (const auto& p : agreement.pairs) {
            const int row = m_pairs->rowCount();
            m_pairs->insertRow(row);
            m_pairs->setItem(
                row, 0, new QTableWidgetItem(QString::fromStdString(agreement.experts[p.first])));
            m_pairs->setItem(
                row, 1, new QTableWidgetItem(QString::fromStdString(agreement.experts[p.second])));
            m_pairs->setItem(row, 2, new QTableWidgetItem(QString::number(p.dice, 'f', 3)));
            m_pairs->setItem(row, 3, new QTableWidgetItem(QString::number(p.iou, 'f', 3)));
        }
    }
    m_majority->setEnabled(!hidden);
    m_staple->setEnabled(!hidden);
    m_queue->clear();
    for (const auto& ranked : queue) {
        const auto text = ranked.sampled ? tr("%1 (slice %2): %3 px")
                                               .arg(QString::fromStdString(ranked.lesion.label))
                                               .arg(ranked.lesion.firstSlice + 1)
                                               .arg(ranked.uncertaintyMass, 0, 'f', 1)
                                         : tr("%1 (slice %2): not sampled yet")
                                               .arg(QString::fromStdString(ranked.lesion.label))
                                               .arg(ranked.lesion.firstSlice + 1);
        auto* item = new QListWidgetItem(text, m_queue);
        item->setData(Qt::UserRole, QVariant::fromValue<qlonglong>(ranked.lesion.id));
        if (ranked.lesion.id == session.lesionId()) item->setSelected(true);
    }
}

}  // namespace flowseg::ui
