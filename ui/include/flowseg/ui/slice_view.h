#pragma once
// The slice viewer: one axial slice of a CT series drawn with its true pixel
// aspect, a millimetre scale bar, window/level, zoom, pan, an HU readout under
// the cursor, the lesion ROI tool, the outline tools' strokes and polygons (it
// reports them; the session applies them) and the result overlays.

#include <QImage>
#include <QPointF>
#include <QVector>
#include <QWidget>

#include <memory>

#include "flowseg/render/overlay_renderer.h"

namespace flowseg::dicom {
struct Series;
}

namespace flowseg::ui {

class SliceView : public QWidget {
    Q_OBJECT
public:
    enum class Tool { WindowLevel, Roi, Brush, Polygon };

    explicit SliceView(QWidget* parent = nullptr);
    ~SliceView() override;

    void setSeries(std::shared_ptr<const dicom::Series> series);
    [[nodiscard]] const dicom::Series* series() const { return m_series.get(); }
    [[nodiscard]] int slice() const { return m_slice; }
    [[nodiscard]] int sliceCount() const;
    [[nodiscard]] double windowCenter() const { return m_center; }
    [[nodiscard]] double windowWidth() const { return m_width; }
    [[nodiscard]] double zoom() const { return m_zoom; }
    [[nodiscard]] Tool tool() const { return m_tool; }
    [[nodiscard]] const render::OverlayScene& scene() const { return m_scene; }

    /// Widget coordinates of a slice pixel position (tests drive the mouse with it).
    [[nodiscard]] QPointF widgetFromSlice(const QPointF& slicePoint) const;
    [[nodiscard]] QPointF sliceFromWidget(const QPointF& widgetPoint) const;

public Q_SLOTS:
    void setSlice(int slice);
    void stepSlice(int delta);
    void setWindow(double center, double width);
    void zoomBy(double factor);
    void resetView();
    /// Centres and zooms on a region (slice pixels) so that it fills about `fraction` of the view.
    void focusOn(const QRectF& region, double fraction = 0.5);
    void setTool(flowseg::ui::SliceView::Tool tool);
    void setScene(const flowseg::render::OverlayScene& scene);
    /// The brush's radius in mm, drawn as the cursor outline with the Brush tool.
    void setBrushRadiusMm(double radiusMm);
    /// Drops a polygon being clicked (Esc).
    void cancelDrawing();

Q_SIGNALS:
    void sliceChanged(int slice);
    void windowChanged(double center, double width);
    /// "x 120, y 88, slice 15: -712 HU", or empty when the cursor leaves the image.
    void cursorInfoChanged(const QString& text);
    /// A box was dragged with the ROI tool (slice pixel coordinates, clipped).
    void roiDrawn(const QRect& roi);
    /// A brush stroke (press, drag, release) in slice pixel coordinates.
    void strokeDrawn(const QVector<QPointF>& path);
    /// A closed polygon: clicked vertices closed by a double click or Enter, or a
    /// freehand outline dragged with the Polygon tool.
    void polygonDrawn(const QVector<QPointF>& polygon);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    enum class Drag { None, Roi, WindowLevel, Pan, Zoom, Stroke, Freehand };
    void rebuildSliceImage();
    // slice_view_tools.cpp: the outline tools' mouse handling and drawing
    bool pressTool(QMouseEvent* event);
    bool moveTool(const QPointF& pos);
    bool releaseTool(QMouseEvent* event);
    void paintTools(QPainter& painter) const;
    void paintScaleBar(QPainter& painter) const;
    [[nodiscard]] double aspect() const;  ///< row spacing / column spacing
    void updateCursorInfo(const QPointF& widgetPoint);
    [[nodiscard]] QTransform sliceToWidget() const;

    std::shared_ptr<const dicom::Series> m_series;
    QImage m_sliceImage;
    int m_slice = 0;
    double m_center = -600;
    double m_width = 1500;
    double m_zoom = 1;
    QPointF m_pan;
    bool m_fitPending = true;
    Tool m_tool = Tool::WindowLevel;
    render::OverlayScene m_scene;
    Drag m_drag = Drag::None;
    QPointF m_dragStart;
    QPointF m_lastMouse;
    QPointF m_roiStart;  // slice coordinates
    double m_dragCenter = 0, m_dragWidth = 0, m_dragZoom = 1;
    double m_brushRadiusMm = 3;
    QVector<QPointF> m_path;  // stroke or polygon being drawn (slice coordinates)
    QPointF m_hover{-1, -1};  // slice coordinates of the cursor
};

}  // namespace flowseg::ui
