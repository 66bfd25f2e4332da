// The heatmap and overlay renderers against golden PNGs, with a tolerance (as
// Krita tests its rendering). Set FLOWSEG_UPDATE_GOLDEN=1 to rewrite the goldens
// after an intended change, then look at them before committing.
#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QTest>

#include <cmath>

#include "flowseg/ui/overlay_renderer.h"

using namespace flowseg;

namespace {

struct Difference {
    double fractionOff = 0;  ///< pixels with any channel off by more than the tolerance
    int largest = 0;
};

Difference compare(const QImage& a, const QImage& b, int tolerance) {
    Difference d;
    if (a.size() != b.size()) return {1.0, 255};
    const QImage x = a.convertToFormat(QImage::Format_RGB32);
    const QImage y = b.convertToFormat(QImage::Format_RGB32);
    long off = 0;
    for (int row = 0; row < x.height(); ++row) {
        const auto* p = reinterpret_cast<const QRgb*>(x.constScanLine(row));
        const auto* q = reinterpret_cast<const QRgb*>(y.constScanLine(row));
        for (int col = 0; col < x.width(); ++col) {
            const int diff = std::max({std::abs(qRed(p[col]) - qRed(q[col])), std::abs(qGreen(p[col]) - qGreen(q[col])),
                                       std::abs(qBlue(p[col]) - qBlue(q[col]))});
            d.largest = std::max(d.largest, diff);
            if (diff > tolerance) ++off;
        }
    }
    d.fractionOff = static_cast<double>(off) / (x.width() * x.height());
    return d;
}

/// A CT-like slice: dark lung, a bright soft-edged nodule, a vessel.
std::vector<float> testSlice(int side) {
    std::vector<float> hu(static_cast<size_t>(side) * side);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
            const double r = std::hypot(x - 40.0, y - 36.0);
            const double vessel = std::abs(x - 0.5 * y - 10.0);
            double v = -850 + 880 / (1 + std::exp((r - 9) / 1.5));
            v = std::max(v, -850 + 800 / (1 + std::exp((vessel - 1.5) / 0.5)));
            hu[static_cast<size_t>(y) * side + x] = static_cast<float>(v);
        }
    return hu;
}

/// Five "samples": discs of growing radius, as a sampler's spread would look.
std::vector<engine::Mask> testSamples(int side) {
    std::vector<engine::Mask> masks;
    for (int k = 0; k < 5; ++k) {
        engine::Mask m(side, side);
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) m.at(y, x) = std::hypot(x - side / 2.0 + 0.5, y - side / 2.0 + 0.5) < 5.0 + k;
        masks.push_back(m);
    }
    return masks;
}

engine::ImageF variance(const std::vector<engine::Mask>& masks) {
    engine::ImageF v(masks.front().height, masks.front().width);
    for (size_t i = 0; i < v.size(); ++i) {
        float p = 0;
        for (const auto& m : masks) p += m.pixels[i];
        p /= static_cast<float>(masks.size());
        v.pixels[i] = p * (1 - p);
    }
    return v;
}

ui::OverlayScene testScene(double opacity) {
    const int cropSide = 32;
    const auto samples = testSamples(cropSide);
    ui::OverlayScene scene;
    scene.cropRect = QRectF(24, 20, 32, 32);
    scene.cropPixels = cropSide;
    scene.heatmap = ui::renderHeatmap(variance(samples), 0.25F, opacity);
    for (const auto& m : samples) scene.cropContours.push_back({ui::maskContour(m), QColor(0, 230, 255, 120), 1.0});
    scene.cropContours.push_back({ui::maskContour(samples[2]), QColor(60, 255, 90), 2.5});
    engine::Mask expert(80, 80);
    for (int y = 28; y < 44; ++y)
        for (int x = 33; x < 47; ++x) expert.at(y, x) = 1;
    scene.sliceContours.push_back({ui::maskContour(expert), QColor(255, 90, 90), 1.5});
    scene.roi = QRectF(30, 26, 20, 20);
    return scene;
}

QImage renderTestOverlay(double opacity) {
    const auto hu = testSlice(80);
    const QImage slice = ui::renderWindowed(hu.data(), 80, 80, -600, 1500);
    return ui::renderSliceWithOverlay(slice, testScene(opacity), QRectF(0, 0, 80, 80), 4.0);
}

QImage colourBarWithoutText() {
    const QImage bar = ui::renderColourBar(256, 30, 0.25, {});
    return bar.copy(0, 0, 256, 10);  // the ramp only: text depends on the fonts installed
}

}  // namespace

class OverlayRenderTest : public QObject {
    Q_OBJECT

    void checkGolden(const QString& name, const QImage& rendered) {
        const QString path = QStringLiteral(FLOWSEG_GOLDEN_DIR "/") + name;
        if (qEnvironmentVariableIsSet("FLOWSEG_UPDATE_GOLDEN")) {
            QVERIFY(rendered.save(path));
            qInfo("wrote %s", qPrintable(path));
        }
        QImage golden(path);
        QVERIFY2(!golden.isNull(), qPrintable("missing golden " + path + " (FLOWSEG_UPDATE_GOLDEN=1 writes it)"));
        const auto d = compare(rendered, golden, 3);
        if (d.fractionOff > 0.002) rendered.save(QDir::temp().filePath("actual-" + name));
        QVERIFY2(d.fractionOff <= 0.002,
                 qPrintable(QStringLiteral("%1: %2 % of pixels differ by more than 3 (largest %3); actual saved to %4")
                                .arg(name)
                                .arg(d.fractionOff * 100, 0, 'f', 3)
                                .arg(d.largest)
                                .arg(QDir::temp().filePath("actual-" + name))));
    }

private Q_SLOTS:
    void heatmapUsesInfernoAndStaysClearWhereSamplesAgree() {
        const auto v = variance(testSamples(32));
        const QImage heat = ui::renderHeatmap(v, 0.25F, 1.0);
        QCOMPARE(qAlpha(heat.pixel(0, 0)), 0);  // all samples agree: no colour over the anatomy
        // p = 0.4 or 0.6 -> p(1-p) = 0.24, near the top of the map: bright yellow-orange.
        const auto& inferno = ui::infernoColours();
        QCOMPARE(inferno.size(), size_t{256});
        QVERIFY(qRed(inferno.back()) > 240 && qBlue(inferno.front()) < 10);
        checkGolden(QStringLiteral("heatmap.png"), heat.scaled(128, 128));
    }

    void overlayMatchesGolden() { checkGolden(QStringLiteral("overlay.png"), renderTestOverlay(0.6)); }

    void colourBarMatchesGolden() { checkGolden(QStringLiteral("colour_bar.png"), colourBarWithoutText()); }

    void comparisonCatchesAVisibleChange() {
        // The tolerance must not hide a change a reader would see: another opacity fails.
        const auto d = compare(renderTestOverlay(0.6), renderTestOverlay(0.8), 3);
        QVERIFY2(d.fractionOff > 0.002, qPrintable(QString::number(d.fractionOff)));
    }

    void contourFollowsPixelEdges() {
        engine::Mask m(4, 4);
        m.at(1, 1) = m.at(1, 2) = 1;
        const QPainterPath path = ui::maskContour(m);
        QCOMPARE(path.boundingRect(), QRectF(1, 1, 2, 1));
        QCOMPARE(path.elementCount(), 12);  // 6 unit edges, two points each
    }
};

QTEST_MAIN(OverlayRenderTest)
#include "test_overlay_render.moc"
