#pragma once
// The results of one sampling run: a gallery of the M masks (click one to
// overlay it), the heatmap choice with its colour bar and opacity, and which
// contours to draw.

#include <QWidget>

#include "flowseg/engine/sampler.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QSlider;

namespace flowseg::ui {

class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    enum class Heatmap { Variance, Entropy, Probability, None };

    explicit ResultsPanel(QWidget* parent = nullptr);

    void setResult(const engine::ImageF& crop, const engine::SamplingResult& result);
    void clear();

    [[nodiscard]] int sampleCount() const;
    [[nodiscard]] int selectedSample() const;  ///< -1 when none
    void selectSample(int index);
    [[nodiscard]] Heatmap heatmap() const;
    void setHeatmap(Heatmap heatmap);
    [[nodiscard]] double opacity() const;  ///< 0..1
    void setOpacity(double opacity);
    [[nodiscard]] bool showSampleContours() const;
    [[nodiscard]] bool showMajority() const;
    [[nodiscard]] bool showExperts() const;
    /// The value that maps to the top of the colour map for the current heatmap.
    [[nodiscard]] float heatmapMaximum() const;

    QListWidget* gallery() const { return m_gallery; }
    QSlider* opacitySlider() const { return m_opacity; }
    QComboBox* heatmapBox() const { return m_heatmap; }

Q_SIGNALS:
    void displayChanged();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateColourBar();

    QListWidget* m_gallery;
    QComboBox* m_heatmap;
    QSlider* m_opacity;
    QLabel* m_colourBar;
    QLabel* m_summary;
    QCheckBox* m_sampleContours;
    QCheckBox* m_majority;
    QCheckBox* m_experts;
};

}  // namespace flowseg::ui
