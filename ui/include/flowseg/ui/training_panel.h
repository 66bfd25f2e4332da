#pragma once
// Fine-tuning, as the window shows it: the model versions of the store (the
// active one marked; any can be made active again: promote or roll back), the
// running job's loss and validation GED as a chart, its pace and time left, and
// Start / Pause / Cancel. It draws and forwards; the window decides.

#include <QWidget>

#include <cstdint>
#include <vector>

#include "flowseg/db/records.h"

class QChart;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QSpinBox;
class QTreeWidget;
class QValueAxis;

namespace flowseg::ui {

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    /// The store's versions, newest first; `active` is marked. Empty: no store.
    void setVersions(const std::vector<db::ModelRecord>& versions);
    /// Which model the window samples with, in words.
    void setSamplingModel(const QString& text);
    /// A job started (clears the chart) or ended (keeps it, buttons reset).
    void setRunning(bool running);
    void addLoss(std::int64_t step, std::int64_t steps, double loss, double stepsPerSecond,
                 double secondsLeft);
    void addValidation(std::int64_t step, double ged);
    void setStatus(const QString& text);

    [[nodiscard]] int steps() const;
    void setSteps(int steps);
    QPushButton* startButton() const { return m_start; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* activateButton() const { return m_activate; }
    QTreeWidget* versions() const { return m_versions; }
    QLabel* status() const { return m_status; }
    QLineSeries* lossSeries() const { return m_loss; }
    QScatterSeries* validationSeries() const { return m_validation; }

Q_SIGNALS:
    void startRequested(int steps);
    void pauseToggled(bool paused);
    void cancelRequested();
    /// Make this model version the one the window samples with.
    void activateRequested(qint64 modelId);

private:
    QLabel* m_model;
    QLabel* m_status;
    QSpinBox* m_steps;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_cancel;
    QChart* m_chart;
    QLineSeries* m_loss;
    QScatterSeries* m_validation;
    QValueAxis* m_stepAxis;
    QValueAxis* m_lossAxis;
    QValueAxis* m_gedAxis;
    QTreeWidget* m_versions;
    QPushButton* m_activate;
};

}  // namespace flowseg::ui
