#include "flowseg/ui/volume_plot.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>

namespace flowseg::ui {

VolumePlot::VolumePlot(QWidget* parent) : QChartView(parent) {
    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(2, 2, 2, 2));
    m_samples = new QScatterSeries;
    m_samples->setName(tr("samples"));
    m_samples->setColor(QColor(0, 200, 230));
    m_samples->setMarkerSize(8);
    m_experts = new QScatterSeries;
    m_experts->setName(tr("experts"));
    m_experts->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_experts->setColor(QColor(230, 80, 80));
    m_experts->setMarkerSize(9);
    m_median = new QLineSeries;
    m_median->setName(tr("median"));
    m_median->setColor(QColor(255, 200, 0));
    m_low = new QLineSeries;
    m_low->setName(tr("5-95 %"));
    m_low->setColor(QColor(150, 150, 150));
    m_high = new QLineSeries;
    m_high->setColor(QColor(150, 150, 150));
    for (auto* series :
         std::initializer_list<QXYSeries*>{m_samples, m_experts, m_median, m_low, m_high})
        chart->addSeries(series);
    m_volumeAxis = new QValueAxis;
    m_volumeAxis->setTitleText(tr("Volume (mm³)"));
    m_volumeAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_volumeAxis->setTickCount(5);
    QFont small = m_volumeAxis->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_volumeAxis->setLabelsFont(small);
    m_volumeAxis->setTitleFont(small);
    m_rowAxis = new QValueAxis;
    m_rowAxis->setRange(-1, 2);
    m_rowAxis->setVisible(false);
    chart->addAxis(m_volumeAxis, Qt::AlignBottom);
    chart->addAxis(m_rowAxis, Qt::AlignLeft);
    for (auto* series : chart->series()) {
        series->attachAxis(m_volumeAxis);
        series->attachAxis(m_rowAxis);
    }
    // One legend entry for the range's two lines.
    chart->legend()->markers(m_high).front()->setVisible(false);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(150);
    setAccessibleName(tr("Volume of each sample, with the experts' volumes"));
}

void VolumePlot::setVolumes(const std::vector<double>& samples, const review::Spread& spread,
                            const std::vector<std::pair<QString, double>>& experts, bool nominal) {
    clear();
    double top = 1;
    // Samples on the lower row, experts on the upper one.
    for (size_t i = 0; i < samples.size(); ++i) {
        m_samples->append(samples[i], 0.15 * static_cast<double>(i % 3));
        top = std::max(top, samples[i]);
    }
    QStringList names;
    for (const auto& [name, volume] : experts) {
        m_experts->append(volume, 1);
        names << QStringLiteral("%1 %2").arg(name).arg(volume, 0, 'f', 0);
        top = std::max(top, volume);
    }
    for (const auto& [line, x] : {std::pair<QLineSeries*, double>{m_median, spread.median},
                                  std::pair<QLineSeries*, double>{m_low, spread.low},
                                  std::pair<QLineSeries*, double>{m_high, spread.high}}) {
        line->append(x, -0.5);
        line->append(x, 1.5);
    }
    m_volumeAxis->setRange(0, top * 1.1);
    m_volumeAxis->setTitleText(nominal ? tr("Volume (mm³, nominal)") : tr("Volume (mm³)"));
    setToolTip(names.isEmpty() ? tr("No expert has a volume (outlines on consecutive slices)")
                               : tr("Experts: %1").arg(names.join(QStringLiteral(", "))));
}

void VolumePlot::clear() {
    for (auto* series :
         std::initializer_list<QXYSeries*>{m_samples, m_experts, m_median, m_low, m_high})
        series->clear();
}

}  // namespace flowseg::ui
