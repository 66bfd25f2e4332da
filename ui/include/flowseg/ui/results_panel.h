#pragma once
// The results of one sampling run: a gallery of the M masks (click one to
// overlay it), the heatmap choice with its colour bar and opacity, and which
// contours to draw. The choices are the session's layers: the panel shows them
// (setLayers) and forwards the user's edits (layersEdited); it keeps no copy.

#include <QWidget>

#include "flowseg/engine/sampler.h"
#include "flowseg/review/nodule_measures.h"
#include "flowseg/review/review_session.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QSlider;

namespace flowseg::ui {

class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    using Heatmap = review::Heatmap;

    explicit ResultsPanel(QWidget* parent = nullptr);

    /// `model`: the model version the samples came from, in words.
    void setResult(const common::ImageF& crop, const engine::SamplingResult& result,
                   const QString& model = {});
    /// Each sample's volume and longest axial diameter beside its thumbnail, and
    /// their median and 5-95 % range under the gallery (after setResult). `slices`:
    /// the slices the samples span; `nominal`: the series gave no pixel spacing.
    void setMeasures(const review::NoduleMeasures& measures, int slices, bool nominal,
                     const std::vector<std::pair<QString, double>>& expertVolumes = {});
    void clear();
    /// The line under the gallery: count, time, device, passes, empty masks, model version.
    [[nodiscard]] QString summaryText() const;
    /// The samples' volume and diameters (median, 5-95 %); empty before setMeasures.
    [[nodiscard]] QString measuresText() const;
    /// Shows the session's layers (no layersEdited follows).
    void setLayers(const review::Layers& layers);
    /// The layers as the controls show them.
    [[nodiscard]] review::Layers layers() const;

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

    QListWidget* gallery() const { return m_gallery; }
    QSlider* opacitySlider() const { return m_opacity; }
    class VolumePlot* volumePlot() const {
        return m_plot;
    }
    QComboBox* heatmapBox() const { return m_heatmap; }

Q_SIGNALS:
    /// The user changed a layer (heatmap, opacity, an outline toggle, the selected sample).
    void layersEdited(const flowseg::review::Layers& layers);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateColourBar();

    QListWidget* m_gallery;
    QComboBox* m_heatmap;
    QSlider* m_opacity;
    QLabel* m_colourBar;
    QLabel* m_summary;
    QLabel* m_measures;
    class VolumePlot* m_plot;
    QCheckBox* m_sampleContours;
    QCheckBox* m_majority;
    QCheckBox* m_experts;
};

}  // namespace flowseg::ui
