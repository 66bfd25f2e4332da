// The slice view's outline tools: brush strokes (press, drag, release) with the
// brush drawn as the cursor, polygons clicked vertex by vertex or dragged
// freehand, and the millimetre scale bar. The view only reports what was drawn;
// the session applies it to the expert's outline.
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "flowseg/dicom/series.h"
#include "flowseg/ui/slice_view.h"

namespace flowseg::ui {

double SliceView::aspect() const {
    if (!m_series || m_series->geometry.columnSpacing <= 0) return 1.0;
    return m_series->geometry.rowSpacing / m_series->geometry.columnSpacing;
}

void SliceView::setBrushRadiusMm(double radiusMm) {
    m_brushRadiusMm = radiusMm;
    update();
}

void SliceView::cancelDrawing() {
    m_path.clear();
    if (m_drag == Drag::Stroke || m_drag == Drag::Freehand) m_drag = Drag::None;
    update();
}

bool SliceView::pressTool(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !m_series) return false;
    const QPointF p = sliceFromWidget(event->position());
    if (m_tool == Tool::Brush) {
        m_drag = Drag::Stroke;
        m_path = {p};
        update();
        return true;
    }
    if (m_tool == Tool::Polygon) {
        // A click adds a vertex; a drag from the first point outlines freehand.
        if (m_path.isEmpty()) m_drag = Drag::Freehand;
        m_path.append(p);
        update();
        return true;
    }
    return false;
}

bool SliceView::moveTool(const QPointF& pos) {
    if (m_drag != Drag::Stroke && m_drag != Drag::Freehand) return false;
    const QPointF p = sliceFromWidget(pos);
    if (m_path.isEmpty() || QLineF(m_path.back(), p).length() >= 0.25) m_path.append(p);
    m_hover = p;
    update();
    return true;
}

bool SliceView::releaseTool(QMouseEvent* event) {
    if (m_drag == Drag::Stroke) {
        const auto path = m_path;
        m_path.clear();
        update();
        Q_EMIT strokeDrawn(path);
        return true;
    }
    if (m_drag == Drag::Freehand) {
        m_drag = Drag::None;
        // A drag (eight points or more, a quarter pixel apart) closes as a freehand
        // outline; a click leaves its vertex and waits for the next.
        if (m_path.size() >= 8) {
            const auto polygon = m_path;
            m_path.clear();
            update();
            Q_EMIT polygonDrawn(polygon);
        } else if (!m_path.isEmpty()) {
            m_path = {m_path.front()};
        }
        return true;
    }
    return m_tool == Tool::Polygon && event->button() == Qt::LeftButton;
}

void SliceView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (m_tool == Tool::Polygon && m_path.size() >= 3) {
        const auto polygon = m_path;
        m_path.clear();
        update();
        Q_EMIT polygonDrawn(polygon);
        event->accept();
        return;
    }
    QWidget::mouseDoubleClickEvent(event);
}

void SliceView::keyPressEvent(QKeyEvent* event) {
    if (m_tool == Tool::Polygon &&
        (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && m_path.size() >= 3) {
        const auto polygon = m_path;
        m_path.clear();
        update();
        Q_EMIT polygonDrawn(polygon);
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void SliceView::paintTools(QPainter& painter) const {
    if (!m_series) return;
    const double rx = m_brushRadiusMm / m_series->geometry.columnSpacing;
    const double ry = m_brushRadiusMm / m_series->geometry.rowSpacing;
    painter.setBrush(Qt::NoBrush);
    if (m_tool == Tool::Brush) {
        // The stroke so far as the brush's footprint, and the brush at the cursor.
        QPainterPath footprint;
        for (const auto& p : m_path) footprint.addEllipse(p, rx, ry);
        painter.fillPath(footprint.simplified(), QColor(80, 255, 120, 90));
        if (m_hover.x() >= 0) {
            painter.setPen(QPen(QColor(255, 255, 255, 220), 0));
            painter.drawEllipse(m_hover, rx, ry);
        }
    } else if (m_tool == Tool::Polygon && !m_path.isEmpty()) {
        painter.setPen(QPen(QColor(80, 255, 120), 0));
        painter.drawPolyline(m_path.data(), static_cast<int>(m_path.size()));
        for (const auto& p : m_path) painter.drawEllipse(p, 0.5, 0.5);
    }
}

void SliceView::paintScaleBar(QPainter& painter) const {
    if (!m_series) return;
    const double pixelsPerMm =
        m_zoom / m_series->geometry.columnSpacing;  // screen pixels per mm along x
    double mm = 1;
    for (const double candidate : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0})
        if (candidate * pixelsPerMm <= width() / 4.0) mm = candidate;
    const double length = mm * pixelsPerMm;
    const QPointF start(12, height() - 14);
    const QString label = m_series->geometry.hasSpacing
                              ? tr("%1 mm").arg(mm)
                              : tr("%1 mm (nominal: no pixel spacing)").arg(mm);
    // On a dark plate, so that it reads over bone and soft tissue too.
    const double plateWidth =
        std::max(length, static_cast<double>(painter.fontMetrics().horizontalAdvance(label))) + 12;
    painter.fillRect(QRectF(start.x() - 6, start.y() - 24, plateWidth, 32), QColor(0, 0, 0, 150));
    painter.setPen(QPen(QColor(240, 240, 240), 2));
    painter.drawLine(start, start + QPointF(length, 0));
    painter.drawLine(start + QPointF(0, -4), start + QPointF(0, 4));
    painter.drawLine(start + QPointF(length, -4), start + QPointF(length, 4));
    painter.drawText(QPointF(start.x(), start.y() - 7), label);
}

}  // namespace flowseg::ui
