#pragma once
// M, solver, steps, guidance w, seed, with "Fast default" (the model's own
// default: a distilled student's jumps) and "Paper setting" presets, whether a
// run samples the whole nodule or its key slice, and the cost the session
// states for the lesion; persisted in QSettings. Changing w re-runs sampling
// (debounced).

#include <QWidget>

#include "flowseg/engine/sampler.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace flowseg::ui {

class SamplingControls : public QWidget {
    Q_OBJECT
public:
    explicit SamplingControls(QWidget* parent = nullptr);

    [[nodiscard]] engine::SamplingOptions options() const;
    void setOptions(const engine::SamplingOptions& options);
    /// The model's default sampling ("Fast default"). While the controls show the
    /// default (not a setting of the user's own), they follow a new model's.
    void setDefaultOptions(const engine::SamplingOptions& defaults);
    [[nodiscard]] bool followsDefault() const { return m_followsDefault; }
    /// The passes and expected time of a run on the current lesion (the session's words).
    void setCostText(const QString& text);
    [[nodiscard]] QString costText() const;
    /// Reads / writes the "sampling/..." keys of the application's QSettings.
    void loadSettings();
    void saveSettings() const;

    QSpinBox* samplesBox() const { return m_samples; }
    QComboBox* solverBox() const { return m_solver; }
    QSpinBox* stepsBox() const { return m_steps; }
    QDoubleSpinBox* guidanceBox() const { return m_guidance; }
    QSpinBox* seedBox() const { return m_seed; }
    QPushButton* paperButton() const { return m_paper; }
    QPushButton* fastButton() const { return m_fast; }
    QPushButton* sampleButton() const { return m_sample; }
    QCheckBox* wholeNoduleBox() const { return m_wholeNodule; }
    [[nodiscard]] bool wholeNodule() const;

Q_SIGNALS:
    /// The user asked for a run (button or a live change of w).
    void sampleRequested();
    void optionsChanged();
    void wholeNoduleChanged(bool whole);

private:
    [[nodiscard]] bool showsDefault() const;

    QSpinBox* m_samples;
    QComboBox* m_solver;
    QSpinBox* m_steps;
    QDoubleSpinBox* m_tolerance;
    QDoubleSpinBox* m_guidance;
    QSlider* m_guidanceSlider;
    QSpinBox* m_seed;
    QCheckBox* m_wholeNodule;
    QPushButton* m_fast;
    QPushButton* m_paper;
    QPushButton* m_sample;
    QLabel* m_cost;
    QTimer* m_liveRerun;
    engine::SamplingOptions m_default = engine::SamplingOptions::fastDefault();
    bool m_followsDefault = true;
    bool m_updating = false;
};

}  // namespace flowseg::ui
