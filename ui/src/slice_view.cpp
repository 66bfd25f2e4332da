#include "flowseg/ui/slice_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "flowseg/dicom/series.h"

namespace flowseg::ui {

SliceView::SliceView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(256, 256);
    setAutoFillBackground(false);
    setAccessibleName(tr("Slice viewer"));
}

SliceView::~SliceView() = default;

void SliceView::setSeries(std::shared_ptr<const dicom::Series> series) {
    m_series = std::move(series);
    m_slice = m_series ? m_series->depth / 2 : 0;
    m_scene = {};
    m_fitPending = true;
    rebuildSliceImage();
    resetView();
    Q_EMIT sliceChanged(m_slice);
}

int SliceView::sliceCount() const { return m_series ? m_series->depth : 0; }

void SliceView::setSlice(int slice) {
    if (!m_series) return;
    slice = std::clamp(slice, 0, m_series->depth - 1);
    if (slice == m_slice) return;
    m_slice = slice;
    rebuildSliceImage();
    update();
    Q_EMIT sliceChanged(m_slice);
}

void SliceView::stepSlice(int delta) { setSlice(m_slice + delta); }

void SliceView::setWindow(double center, double width) {
    width = std::max(1.0, width);
    if (center == m_center && width == m_width) return;
    m_center = center;
    m_width = width;
    rebuildSliceImage();
    update();
    Q_EMIT windowChanged(m_center, m_width);
}

void SliceView::zoomBy(double factor) {
    m_zoom = std::clamp(m_zoom * factor, 0.1, 64.0);
    update();
}

void SliceView::resetView() {
    m_pan = {};
    if (m_series && width() > 0 && height() > 0) {
        m_zoom = std::min(static_cast<double>(width()) / m_series->width,
                          static_cast<double>(height()) / (m_series->height * aspect()));
        m_fitPending = false;
    }
    update();
}

void SliceView::focusOn(const QRectF& region, double fraction) {
    if (!m_series || region.isEmpty() || width() <= 0 || height() <= 0) return;
    m_fitPending = false;
    m_zoom = std::clamp(
        fraction * std::min(width() / region.width(), height() / (region.height() * aspect())), 0.1,
        64.0);
    const QPointF offset = region.center() - QPointF(m_series->width / 2.0, m_series->height / 2.0);
    m_pan = -QPointF(offset.x() * m_zoom, offset.y() * m_zoom * aspect());
    update();
}

void SliceView::setTool(Tool tool) {
    m_tool = tool;
    m_path.clear();
    setCursor(tool == Tool::WindowLevel ? Qt::ArrowCursor : Qt::CrossCursor);
    update();
}

void SliceView::setScene(const render::OverlayScene& scene) {
    m_scene = scene;
    update();
}

void SliceView::rebuildSliceImage() {
    if (!m_series || m_series->depth == 0) {
        m_sliceImage = {};
        return;
    }
    const float* values =
        m_series->values.data() + static_cast<size_t>(m_slice) * m_series->width * m_series->height;
    m_sliceImage =
        render::renderWindowed(values, m_series->width, m_series->height, m_center, m_width);
}

QTransform SliceView::sliceToWidget() const {
    QTransform t;
    if (!m_series) return t;
    t.translate(width() / 2.0 + m_pan.x(), height() / 2.0 + m_pan.y());
    t.scale(m_zoom, m_zoom * aspect());  // true pixel aspect: rows as far apart as they are in mm
    t.translate(-m_series->width / 2.0, -m_series->height / 2.0);
    return t;
}

QPointF SliceView::widgetFromSlice(const QPointF& slicePoint) const {
    return sliceToWidget().map(slicePoint);
}

QPointF SliceView::sliceFromWidget(const QPointF& widgetPoint) const {
    return sliceToWidget().inverted().map(widgetPoint);
}

void SliceView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (m_sliceImage.isNull()) {
        painter.setPen(Qt::gray);
        painter.drawText(rect(), Qt::AlignCenter,
                         tr("No series loaded.\nOpen a DICOM folder (Ctrl+O) or pick a series in "
                            "the study browser."));
        return;
    }
    painter.setTransform(sliceToWidget());
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 1.0);
    painter.drawImage(QPointF(0, 0), m_sliceImage);
    render::paintOverlay(painter, m_scene);
    paintTools(painter);
    painter.resetTransform();
    paintScaleBar(painter);
    painter.setPen(QColor(230, 230, 230));
    painter.drawText(rect().adjusted(6, 4, -6, -4), Qt::AlignLeft | Qt::AlignTop,
                     tr("Slice %1/%2   W %3  L %4")
                         .arg(m_slice + 1)
                         .arg(m_series->depth)
                         .arg(m_width, 0, 'f', 0)
                         .arg(m_center, 0, 'f', 0));
}

void SliceView::resizeEvent(QResizeEvent*) {
    if (m_fitPending) resetView();
}

void SliceView::wheelEvent(QWheelEvent* event) {
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0) return;
    if (event->modifiers() & Qt::ControlModifier)
        zoomBy(std::pow(1.15, steps));
    else
        stepSlice(-steps);  // wheel up = towards the head, as in Slicer
    event->accept();
}

void SliceView::mousePressEvent(QMouseEvent* event) {
    m_dragStart = m_lastMouse = event->position();
    m_dragCenter = m_center;
    m_dragWidth = m_width;
    m_dragZoom = m_zoom;
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier))
        m_drag = Drag::Pan;
    else if (pressTool(event))
        event->accept();  // a brush stroke or a polygon vertex
    else if (event->button() == Qt::LeftButton && m_tool == Tool::Roi && m_series) {
        m_drag = Drag::Roi;
        m_roiStart = sliceFromWidget(event->position());
    } else if (event->button() == Qt::LeftButton)
        m_drag = Drag::WindowLevel;
    else if (event->button() == Qt::MiddleButton)
        m_drag = Drag::Pan;
    else if (event->button() == Qt::RightButton)
        m_drag = Drag::Zoom;
    event->accept();
}

void SliceView::mouseMoveEvent(QMouseEvent* event) {
    const QPointF pos = event->position();
    const QPointF delta = pos - m_dragStart;
    if (moveTool(pos)) {
        m_lastMouse = pos;
        updateCursorInfo(pos);
        return;
    }
    switch (m_drag) {
        case Drag::Roi:
            m_scene.roi = QRectF(m_roiStart, sliceFromWidget(pos)).normalized();
            m_scene.roiIsDraft = true;
            update();
            break;
        case Drag::WindowLevel:
            // Right = wider window, down = higher level (Slicer and ITK-SNAP agree).
            setWindow(m_dragCenter + delta.y() * 2.0, m_dragWidth + delta.x() * 4.0);
            break;
        case Drag::Pan:
            m_pan += pos - m_lastMouse;
            update();
            break;
        case Drag::Zoom:
            m_zoom = std::clamp(m_dragZoom * std::pow(1.01, -delta.y()), 0.1, 64.0);
            update();
            break;
        case Drag::None:
        case Drag::Stroke:
        case Drag::Freehand:
            break;
    }
    m_lastMouse = pos;
    updateCursorInfo(pos);
}

void SliceView::mouseReleaseEvent(QMouseEvent* event) {
    if (releaseTool(event)) {
        m_drag = Drag::None;
        event->accept();
        return;
    }
    if (m_drag == Drag::Roi && m_series) {
        const QRectF box = QRectF(m_roiStart, sliceFromWidget(event->position())).normalized();
        const QRect clipped = QRect(QPoint(static_cast<int>(std::floor(box.left())),
                                           static_cast<int>(std::floor(box.top()))),
                                    QPoint(static_cast<int>(std::ceil(box.right())) - 1,
                                           static_cast<int>(std::ceil(box.bottom())) - 1))
                                  .intersected(QRect(0, 0, m_series->width, m_series->height));
        m_scene.roiIsDraft = false;
        if (clipped.width() >= 2 && clipped.height() >= 2) Q_EMIT roiDrawn(clipped);
        update();
    }
    m_drag = Drag::None;
    event->accept();
}

void SliceView::leaveEvent(QEvent*) {
    m_hover = {-1, -1};
    update();
    Q_EMIT cursorInfoChanged({});
}

void SliceView::updateCursorInfo(const QPointF& widgetPoint) {
    if (!m_series) return;
    const QPointF p = sliceFromWidget(widgetPoint);
    if (m_tool == Tool::Brush) {
        m_hover = p;
        update();
    }
    const int x = static_cast<int>(std::floor(p.x()));
    const int y = static_cast<int>(std::floor(p.y()));
    if (x < 0 || y < 0 || x >= m_series->width || y >= m_series->height) {
        Q_EMIT cursorInfoChanged({});
        return;
    }
    Q_EMIT cursorInfoChanged(tr("x %1, y %2, slice %3: %4 HU")
                                 .arg(x)
                                 .arg(y)
                                 .arg(m_slice + 1)
                                 .arg(static_cast<double>(m_series->at(m_slice, y, x)), 0, 'f', 0));
}

}  // namespace flowseg::ui
