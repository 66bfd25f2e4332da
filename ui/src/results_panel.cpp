#include "flowseg/ui/results_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QSlider>
#include <QVBoxLayout>

#include "flowseg/render/overlay_renderer.h"
#include "flowseg/ui/volume_plot.h"

namespace flowseg::ui {

ResultsPanel::ResultsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(tr("No samples yet: mark a lesion (D, then drag) and press S."));
    m_summary->setWordWrap(true);
    m_measures = new QLabel;
    m_measures->setWordWrap(true);
    m_measures->setAccessibleName(tr("Volume and diameters of the samples"));
    m_measures->setVisible(false);
    m_plot = new VolumePlot;
    m_plot->setVisible(false);
    m_gallery = new QListWidget;
    m_gallery->setViewMode(QListView::IconMode);
    m_gallery->setIconSize(QSize(72, 72));
    m_gallery->setResizeMode(QListView::Adjust);
    m_gallery->setMovement(QListView::Static);
    m_gallery->setSelectionMode(QAbstractItemView::SingleSelection);
    m_gallery->setMinimumHeight(150);
    m_gallery->setAccessibleName(tr("Sample gallery"));
    m_heatmap = new QComboBox;
    m_heatmap->addItem(tr("Variance p(1-p)"));
    m_heatmap->addItem(tr("Entropy of p"));
    m_heatmap->addItem(tr("Probability p"));
    m_heatmap->addItem(tr("None"));
    m_opacity = new QSlider(Qt::Horizontal);
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    m_colourBar = new QLabel;
    m_colourBar->setMinimumHeight(30);
    m_sampleContours = new QCheckBox(tr("Sample outlines"));
    m_sampleContours->setChecked(true);
    m_majority = new QCheckBox(tr("Majority outline (p >= 0.5)"));
    m_majority->setChecked(true);
    m_experts = new QCheckBox(tr("Expert outlines"));
    m_experts->setChecked(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Heatmap"), m_heatmap);
    form->addRow(tr("Opacity"), m_opacity);
    layout->addWidget(m_summary);
    layout->addWidget(m_measures);
    layout->addWidget(m_plot);
    layout->addWidget(m_gallery, 1);
    layout->addLayout(form);
    layout->addWidget(m_colourBar);
    layout->addWidget(m_sampleContours);
    layout->addWidget(m_majority);
    layout->addWidget(m_experts);

    auto changed = [this] {
        updateColourBar();
        Q_EMIT layersEdited(layers());
    };
    connect(m_heatmap, &QComboBox::currentIndexChanged, this, changed);
    connect(m_opacity, &QSlider::valueChanged, this, changed);
    connect(m_sampleContours, &QCheckBox::toggled, this, changed);
    connect(m_majority, &QCheckBox::toggled, this, changed);
    connect(m_experts, &QCheckBox::toggled, this, changed);
    connect(m_gallery, &QListWidget::currentRowChanged, this, changed);
    updateColourBar();
}

void ResultsPanel::setResult(const common::ImageF& crop, const engine::SamplingResult& result,
                             const QString& model) {
    const QSignalBlocker block(m_gallery);
    m_gallery->clear();
    m_measures->clear();
    m_measures->setVisible(false);
    m_plot->clear();
    m_plot->setVisible(false);
    // Every thumbnail shows the same part of the crop: the lesion, not the whole field.
    const QRectF region = render::lesionRegion(result.masks);
    for (size_t i = 0; i < result.masks.size(); ++i) {
        const auto& mask = result.masks[i];
        auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(render::renderMaskThumbnail(
                                             crop, mask, 96, QColor(80, 255, 120), region))),
                                         tr("#%1  %2 px").arg(i + 1).arg(mask.area()));
        item->setToolTip(tr("Sample %1: %2 pixels. Click to overlay it on the slice.")
                             .arg(i + 1)
                             .arg(mask.area()));
        m_gallery->addItem(item);
    }
    long empty = 0;
    for (const auto& m : result.masks) empty += m.area() == 0 ? 1 : 0;
    m_summary->setText(tr("%1 samples in %2 s on %3 (%4 network passes); %5 empty.")
                           .arg(result.masks.size())
                           .arg(result.seconds, 0, 'f', 2)
                           .arg(QString::fromStdString(result.device))
                           .arg(result.networkPasses)
                           .arg(empty) +
                       (model.isEmpty() ? QString() : tr(" Model: %1.").arg(model)));
    updateColourBar();
}

void ResultsPanel::setMeasures(const review::NoduleMeasures& measures, int slices, bool nominal,
                               const std::vector<std::pair<QString, double>>& expertVolumes) {
    std::vector<double> volumes;
    for (const auto& s : measures.samples) volumes.push_back(s.volumeMm3);
    m_plot->setVolumes(volumes, measures.volumeMm3, expertVolumes, nominal);
    m_plot->setVisible(true);
    const QString unit = nominal ? tr(" (nominal mm)") : QString();
    for (int i = 0; i < m_gallery->count() && i < static_cast<int>(measures.samples.size()); ++i) {
        const auto& s = measures.samples[static_cast<size_t>(i)];
        auto* item = m_gallery->item(i);
        item->setText(tr("#%1  %2 mm³  %3 mm")
                          .arg(i + 1)
                          .arg(s.volumeMm3, 0, 'f', 0)
                          .arg(s.longestMm, 0, 'f', 1));
        item->setToolTip(tr("Sample %1: %2 mm³ over %3 slice(s); longest axial diameter %4 mm, "
                            "perpendicular %5 mm%6. Click to overlay it on the slices.")
                             .arg(i + 1)
                             .arg(s.volumeMm3, 0, 'f', 1)
                             .arg(s.slices)
                             .arg(s.longestMm, 0, 'f', 1)
                             .arg(s.perpendicularMm, 0, 'f', 1)
                             .arg(unit));
    }
    const auto spread = [](const review::Spread& s, int decimals) {
        return tr("%1 (5-95 %: %2-%3)")
            .arg(s.median, 0, 'f', decimals)
            .arg(s.low, 0, 'f', decimals)
            .arg(s.high, 0, 'f', decimals);
    };
    m_measures->setText(tr("Over %1 slice(s)%2: volume %3 mm³; longest diameter %4 mm; "
                           "perpendicular %5 mm.")
                            .arg(slices)
                            .arg(unit)
                            .arg(spread(measures.volumeMm3, 0))
                            .arg(spread(measures.longestMm, 1))
                            .arg(spread(measures.perpendicularMm, 1)));
    m_measures->setVisible(true);
}

QString ResultsPanel::summaryText() const { return m_summary->text(); }
QString ResultsPanel::measuresText() const { return m_measures->text(); }

void ResultsPanel::clear() {
    const QSignalBlocker block(m_gallery);
    m_gallery->clear();
    m_measures->clear();
    m_measures->setVisible(false);
    m_plot->clear();
    m_plot->setVisible(false);
    m_summary->setText(tr("No samples yet: mark a lesion (D, then drag) and press S."));
}

void ResultsPanel::setLayers(const review::Layers& layers) {
    for (QObject* control : std::initializer_list<QObject*>{m_heatmap, m_opacity, m_sampleContours,
                                                            m_majority, m_experts, m_gallery})
        control->blockSignals(true);
    m_heatmap->setCurrentIndex(static_cast<int>(layers.heatmap));
    m_opacity->setValue(static_cast<int>(layers.opacity * 100 + 0.5));
    m_sampleContours->setChecked(layers.sampleContours);
    m_majority->setChecked(layers.majority);
    m_experts->setChecked(layers.experts);
    m_gallery->setCurrentRow(layers.selectedSample < m_gallery->count() ? layers.selectedSample
                                                                        : -1);
    for (QObject* control : std::initializer_list<QObject*>{m_heatmap, m_opacity, m_sampleContours,
                                                            m_majority, m_experts, m_gallery})
        control->blockSignals(false);
    updateColourBar();
}

review::Layers ResultsPanel::layers() const {
    review::Layers l;
    l.heatmap = heatmap();
    l.opacity = opacity();
    l.sampleContours = showSampleContours();
    l.majority = showMajority();
    l.experts = showExperts();
    l.selectedSample = selectedSample();
    return l;
}

int ResultsPanel::sampleCount() const { return m_gallery->count(); }
int ResultsPanel::selectedSample() const { return m_gallery->currentRow(); }
void ResultsPanel::selectSample(int index) { m_gallery->setCurrentRow(index); }
ResultsPanel::Heatmap ResultsPanel::heatmap() const {
    return static_cast<Heatmap>(m_heatmap->currentIndex());
}
void ResultsPanel::setHeatmap(Heatmap heatmap) {
    m_heatmap->setCurrentIndex(static_cast<int>(heatmap));
}
double ResultsPanel::opacity() const { return m_opacity->value() / 100.0; }
void ResultsPanel::setOpacity(double opacity) {
    m_opacity->setValue(static_cast<int>(opacity * 100 + 0.5));
}
bool ResultsPanel::showSampleContours() const { return m_sampleContours->isChecked(); }
bool ResultsPanel::showMajority() const { return m_majority->isChecked(); }
bool ResultsPanel::showExperts() const { return m_experts->isChecked(); }

void ResultsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    updateColourBar();
}

void ResultsPanel::updateColourBar() {
    if (heatmap() == Heatmap::None) {
        m_colourBar->clear();
        return;
    }
    const int width = std::max(120, m_colourBar->width());
    m_colourBar->setPixmap(QPixmap::fromImage(render::renderColourBar(
        width, 30, render::heatmapMaximum(heatmap()), m_heatmap->currentText())));
}

}  // namespace flowseg::ui
