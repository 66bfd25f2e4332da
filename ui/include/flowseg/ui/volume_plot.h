#pragma once
// The nodule's volume as the samples see it: each sample's volume as a point on
// one axis (mm³), the experts' volumes marked beside them, and the samples'
// median and 5-95 % range as lines. Draws what it is given; keeps nothing else.

#include <QChartView>

#include <utility>
#include <vector>

#include "flowseg/review/nodule_measures.h"

class QScatterSeries;
class QLineSeries;
class QValueAxis;

namespace flowseg::ui {

class VolumePlot : public QChartView {
    Q_OBJECT
public:
    explicit VolumePlot(QWidget* parent = nullptr);

    /// The samples' volumes (mm³), their spread, and each expert's volume (an
    /// expert without one on consecutive slices is left out).
    void setVolumes(const std::vector<double>& samples, const review::Spread& spread,
                    const std::vector<std::pair<QString, double>>& experts, bool nominal);
    void clear();

    [[nodiscard]] QScatterSeries* samples() const { return m_samples; }
    [[nodiscard]] QScatterSeries* experts() const { return m_experts; }

private:
    QScatterSeries* m_samples;
    QScatterSeries* m_experts;
    QLineSeries* m_median;
    QLineSeries* m_low;
    QLineSeries* m_high;
    QValueAxis* m_volumeAxis;
    QValueAxis* m_rowAxis;
};

}  // namespace flowseg::ui
