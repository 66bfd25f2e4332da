#include "flowseg/ui/training_panel.h"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace flowseg::ui {

namespace {

QString duration(double seconds) {
    const auto s = std::max<long>(0, std::lround(seconds));
    return s >= 60 ? QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60)
                   : QObject::tr("%1 s").arg(s);
}

/// A metric of a version's metrics JSON, or "".
QString metricOf(const std::string& json, const char* key) {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_discarded() || !j.contains(key) || !j.at(key).is_number()) return {};
    return QString::number(j.at(key).get<double>(), 'f', 4);
}

}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    m_model = new QLabel;
    m_model->setWordWrap(true);
    layout->addWidget(m_model);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Steps")));
    m_steps = new QSpinBox;
    m_steps->setRange(10, 100000);
    m_steps->setSingleStep(50);
    m_steps->setValue(300);
    m_steps->setAccessibleName(tr("Fine-tuning steps"));
    controls->addWidget(m_steps);
    m_start = new QPushButton(tr("Fine-tune"));
    m_start->setToolTip(
        tr("Train the active model further on the store's finished lesions with two or more "
           "experts; it becomes active only if it beats its parent on held-out patients"));
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setCheckable(true);
    m_cancel = new QPushButton(tr("Cancel"));
    controls->addWidget(m_start);
    controls->addWidget(m_pause);
    controls->addWidget(m_cancel);
    layout->addLayout(controls);

    m_chart = new QChart;
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_loss = new QLineSeries;
    m_loss->setName(tr("training loss"));
    m_validation = new QScatterSeries;
    m_validation->setName(tr("validation GED"));
    m_validation->setMarkerSize(9);
    m_chart->addSeries(m_loss);
    m_chart->addSeries(m_validation);
    m_stepAxis = new QValueAxis;
    m_stepAxis->setTitleText(tr("step"));
    m_stepAxis->setLabelFormat(QStringLiteral("%d"));
    m_lossAxis = new QValueAxis;
    m_lossAxis->setTitleText(tr("loss"));
    m_gedAxis = new QValueAxis;
    m_gedAxis->setTitleText(tr("GED"));
    m_gedAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_gedAxis->setRange(0, 1);  // 0-2 once a validation GED passes 1 (addValidation)
    m_chart->addAxis(m_stepAxis, Qt::AlignBottom);
    m_chart->addAxis(m_lossAxis, Qt::AlignLeft);
    m_chart->addAxis(m_gedAxis, Qt::AlignRight);
    m_loss->attachAxis(m_stepAxis);
    m_loss->attachAxis(m_lossAxis);
    m_validation->attachAxis(m_stepAxis);
    m_validation->attachAxis(m_gedAxis);
    auto* view = new QChartView(m_chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    view->setAccessibleName(tr("Fine-tuning loss and validation GED"));
    layout->addWidget(view, 2);

    m_status = new QLabel(tr("No fine-tune running."));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    layout->addWidget(new QLabel(tr("Model versions in the store (● samples now):")));
    m_versions = new QTreeWidget;
    m_versions->setColumnCount(4);
    m_versions->setHeaderLabels(
        {tr("Version"), tr("Validation GED"), tr("Parent's"), tr("Created")});
    m_versions->setRootIsDecorated(false);
    m_versions->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_versions->setAccessibleName(tr("Model versions"));
    layout->addWidget(m_versions, 1);
    m_activate = new QPushButton(tr("Sample with this version"));
    m_activate->setToolTip(
        tr("Make the selected version active: promote a new one, or roll back to an older one"));
    m_activate->setEnabled(false);
    layout->addWidget(m_activate);

    connect(m_start, &QPushButton::clicked, this,
            [this] { Q_EMIT startRequested(m_steps->value()); });
    connect(m_pause, &QPushButton::toggled, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
        Q_EMIT pauseToggled(paused);
    });
    connect(m_cancel, &QPushButton::clicked, this, &TrainingPanel::cancelRequested);
    connect(m_versions, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        m_activate->setEnabled(item && !item->data(0, Qt::UserRole + 1).toBool());
    });
    connect(m_activate, &QPushButton::clicked, this, [this] {
        if (auto* item = m_versions->currentItem())
            Q_EMIT activateRequested(item->data(0, Qt::UserRole).toLongLong());
    });
    setRunning(false);
}

void TrainingPanel::setVersions(const std::vector<db::ModelRecord>& versions) {
    const auto current =
        m_versions->currentItem() ? m_versions->currentItem()->data(0, Qt::UserRole) : QVariant();
    m_versions->clear();
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        const auto& v = *it;
        auto* item = new QTreeWidgetItem(m_versions);
        const auto name = QString::fromStdString(v.label.empty() ? v.path : v.label);
        item->setText(0, (v.active ? QStringLiteral("● ") : QStringLiteral("   ")) + name);
        item->setToolTip(0, QString::fromStdString(v.path));
        item->setText(1, metricOf(v.metricsJson, "validation_ged"));
        item->setText(2, metricOf(v.metricsJson, "parent_validation_ged"));
        item->setText(3, QString::fromStdString(v.createdAt.substr(0, 16))
                             .replace(QLatin1Char('T'), QLatin1Char(' ')));
        item->setData(0, Qt::UserRole, static_cast<qlonglong>(v.id));
        item->setData(0, Qt::UserRole + 1, v.active);
        if (v.active) {
            auto font = item->font(0);
            font.setBold(true);
            item->setFont(0, font);
        }
        if (current.isValid() && current.toLongLong() == v.id) m_versions->setCurrentItem(item);
    }
    if (!m_versions->currentItem()) m_activate->setEnabled(false);
}

void TrainingPanel::setSamplingModel(const QString& text) { m_model->setText(text); }

void TrainingPanel::setRunning(bool running) {
    m_start->setEnabled(!running);
    m_steps->setEnabled(!running);
    m_pause->setEnabled(running);
    m_cancel->setEnabled(running);
    if (!running) {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(false);
        m_pause->setText(tr("Pause"));
        return;
    }
    m_loss->clear();
    m_validation->clear();
    m_stepAxis->setRange(-0.02 * m_steps->value(),
                         1.02 * m_steps->value());  // end markers stay whole
    m_lossAxis->setRange(0, 0.1);
    m_gedAxis->setRange(0, 1);
}

void TrainingPanel::addLoss(std::int64_t step, std::int64_t steps, double loss,
                            double stepsPerSecond, double secondsLeft) {
    m_loss->append(static_cast<double>(step), loss);
    m_stepAxis->setRange(-0.02 * static_cast<double>(steps), 1.02 * static_cast<double>(steps));
    double top = 0;
    for (const auto& p : m_loss->points()) top = std::max(top, p.y());
    m_lossAxis->setRange(0, top * 1.1);
    m_lossAxis->applyNiceNumbers();
    m_status->setText(tr("Step %1 of %2 · loss %3 · %4 steps/s · %5 left")
                          .arg(step)
                          .arg(steps)
                          .arg(loss, 0, 'f', 4)
                          .arg(stepsPerSecond, 0, 'f', 2)
                          .arg(duration(secondsLeft)));
}

void TrainingPanel::addValidation(std::int64_t step, double ged) {
    m_validation->append(static_cast<double>(step), ged);
    // GED lies in [0, 2] and is mostly below 1: a fixed scale, 0-1 from each job's
    // start (reset above) and 0-2 once a point passes 1, keeps the axis labels'
    // width, which Qt Charts does not re-lay out on the right edge (they elide).
    if (ged > 1) m_gedAxis->setRange(0, 2);
}

void TrainingPanel::setStatus(const QString& text) { m_status->setText(text); }

int TrainingPanel::steps() const { return m_steps->value(); }

void TrainingPanel::setSteps(int steps) { m_steps->setValue(steps); }

}  // namespace flowseg::ui
