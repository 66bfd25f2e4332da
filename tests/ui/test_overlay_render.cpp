// The heatmap and overlay renderers against golden PNGs (golden.h: the shared
// check and its tolerance; FLOWSEG_UPDATE_GOLDEN=1 rewrites them).
#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QTest>

#include <cmath>

#include "flowseg/render/overlay_renderer.h"
#include "flowseg/render/report_images.h"
#include "flowseg/render/report_writer.h"
#include "flowseg/review/model_fitness.h"
#include "golden.h"

#include <QProcess>
#include <QTemporaryDir>

using namespace flowseg;

namespace {

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
std::vector<common::Mask> testSamples(int side) {
    std::vector<common::Mask> masks;
    for (int k = 0; k < 5; ++k) {
        common::Mask m(side, side);
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x)
                m.at(y, x) = std::hypot(x - side / 2.0 + 0.5, y - side / 2.0 + 0.5) < 5.0 + k;
        masks.push_back(m);
    }
    return masks;
}

common::ImageF variance(const std::vector<common::Mask>& masks) {
    common::ImageF v(masks.front().height, masks.front().width);
    for (size_t i = 0; i < v.size(); ++i) {
        float p = 0;
        for (const auto& m : masks) p += m.pixels[i];
        p /= static_cast<float>(masks.size());
        v.pixels[i] = p * (1 - p);
    }
    return v;
}

render::OverlayScene testScene(double opacity) {
    const int cropSide = 32;
    const auto samples = testSamples(cropSide);
    render::OverlayScene scene;
    scene.cropRect = QRectF(24, 20, 32, 32);
    scene.cropPixels = cropSide;
    scene.heatmap = render::renderHeatmap(variance(samples), 0.25F, opacity);
    for (const auto& m : samples)
        scene.cropContours.push_back({render::maskContour(m), QColor(0, 230, 255, 120), 1.0});
    scene.cropContours.push_back({render::maskContour(samples[2]), QColor(60, 255, 90), 2.5});
    common::Mask expert(80, 80);
    for (int y = 28; y < 44; ++y)
        for (int x = 33; x < 47; ++x) expert.at(y, x) = 1;
    scene.sliceContours.push_back({render::maskContour(expert), QColor(255, 90, 90), 1.5});
    scene.roi = QRectF(30, 26, 20, 20);
    return scene;
}

QImage renderTestOverlay(double opacity) {
    const auto hu = testSlice(80);
    const QImage slice = render::renderWindowed(hu.data(), 80, 80, -600, 1500);
    return render::renderSliceWithOverlay(slice, testScene(opacity), QRectF(0, 0, 80, 80), 4.0);
}

QImage colourBarWithoutText() {
    const QImage bar = render::renderColourBar(256, 30, 0.25, {});
    return bar.copy(0, 0, 256, 10);  // the ramp only: text depends on the fonts installed
}

/// A report lesion on the test slice, on pixels 0.7 mm wide and 0.9 mm high (the
/// report draws the true aspect): two experts' outlines and five samples.
struct ReportFixture {
    dicom::Series series;
    review::ReportLesion lesion;
};

ReportFixture reportFixture() {
    ReportFixture f;
    f.series.width = f.series.height = 80;
    f.series.depth = 1;
    f.series.values = testSlice(80);
    f.series.modality = "CT";
    f.series.geometry.columnSpacing = 0.7;
    f.series.geometry.rowSpacing = 0.9;
    f.series.geometry.sliceSpacing = 1.25;
    f.series.geometry.hasSpacing = true;
    f.lesion.lesion.box = {30, 26, 20, 20};
    f.lesion.lesion.firstSlice = f.lesion.lesion.lastSlice = 0;
    common::Mask a(80, 80);
    common::Mask b(80, 80);
    for (int y = 0; y < 80; ++y)
        for (int x = 0; x < 80; ++x) {
            a.at(y, x) = std::hypot(x - 40.0, y - 36.0) < 8.0;
            b.at(y, x) = std::hypot(x - 41.0, y - 35.0) < 10.0;
        }
    f.lesion.outlines.layer({1, "Reader A", "radiologist"}).slices[0] = a;
    f.lesion.outlines.layer({2, "Reader B", "radiologist"}).slices[0] = b;
    review::LesionResult result;
    result.crop.image = common::ImageF(32, 32);
    result.crop.slice = 0;
    result.crop.originX = 24;
    result.crop.originY = 20;
    result.crop.span = 32;
    result.result.masks = testSamples(32);
    result.result.maps.variance = variance(result.result.masks);
    f.lesion.result = std::move(result);
    return f;
}

}  // namespace

class OverlayRenderTest : public QObject {
    Q_OBJECT

    void checkGolden(const QString& name, const QImage& rendered) {
        const auto mismatch =
            test::goldenMismatch(QStringLiteral(FLOWSEG_GOLDEN_DIR), name, rendered);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    }

private Q_SLOTS:
    void heatmapUsesInfernoAndStaysClearWhereSamplesAgree() {
        const auto v = variance(testSamples(32));
        const QImage heat = render::renderHeatmap(v, 0.25F, 1.0);
        QCOMPARE(qAlpha(heat.pixel(0, 0)), 0);  // all samples agree: no colour over the anatomy
        // p = 0.4 or 0.6 -> p(1-p) = 0.24, near the top of the map: bright yellow-orange.
        const auto& inferno = render::infernoColours();
        QCOMPARE(inferno.size(), size_t{256});
        QVERIFY(qRed(inferno.back()) > 240 && qBlue(inferno.front()) < 10);
        checkGolden(QStringLiteral("heatmap.png"), heat.scaled(128, 128));
    }

    void overlayMatchesGolden() {
        checkGolden(QStringLiteral("overlay.png"), renderTestOverlay(0.6));
    }

    void colourBarMatchesGolden() {
        checkGolden(QStringLiteral("colour_bar.png"), colourBarWithoutText());
    }

    void reportOutlinesMatchGolden() {
        const auto f = reportFixture();
        const auto region = render::report::lesionRegion(f.lesion, f.series);
        checkGolden(QStringLiteral("report_outlines.png"),
                    render::report::outlinesImage(f.lesion, f.series, region));
    }

    void reportHeatmapMatchesGolden() {
        const auto f = reportFixture();
        const auto region = render::report::lesionRegion(f.lesion, f.series);
        const auto image = render::report::heatmapImage(f.lesion, f.series, region);
        // The picture above the colour bar (whose text depends on the fonts installed).
        const auto outlines = render::report::outlinesImage(f.lesion, f.series, region);
        QVERIFY(image.height() > outlines.height());
        checkGolden(QStringLiteral("report_heatmap.png"),
                    image.copy(0, 0, image.width(), outlines.height()));
    }

    void comparisonCatchesAVisibleChange() {
        // The tolerance must not hide a change a reader would see: another opacity fails.
        const auto d = test::compareImages(renderTestOverlay(0.6), renderTestOverlay(0.8), 3);
        QVERIFY2(d.fractionOff > 0.002, qPrintable(QString::number(d.fractionOff)));
    }

    void theReportSaysWhatTheModelWasNotMadeFor() {
        // A CT series of 1.5 mm pixels: outside what the model learnt from.
        flowseg::dicom::Series series;
        series.modality = "CT";
        series.width = series.height = 64;
        series.depth = 3;
        series.values.assign(64 * 64 * 3, -800.0F);
        series.geometry.rowSpacing = series.geometry.columnSpacing = 1.5;
        series.geometry.sliceSpacing = 1.25;
        series.geometry.hasSpacing = true;
        flowseg::review::StudyReport report;
        report.study.studyUid = "1.2.3";
        for (const auto& note : flowseg::review::checkModelFitness(series))
            report.modelCautions.push_back(note.message);
        QCOMPARE(report.modelCautions.size(), size_t{1});
        QTemporaryDir dir;
        const auto pdf = dir.filePath("report.pdf");
        render::writeReportPdf(report, series, pdf.toStdString());
        QProcess text;
        text.start(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
        QVERIFY(text.waitForFinished(30000));
        const QString body = QString::fromUtf8(text.readAllStandardOutput()).simplified();
        QVERIFY2(body.contains(QStringLiteral("outside what the model learnt from")),
                 qPrintable(body.left(400)));
        QVERIFY2(body.contains(QStringLiteral("The pixels are 1.50 mm x 1.50 mm")),
                 qPrintable(body.left(400)));
    }

    void galleryThumbnailsShowTheLesionNotTheWholeCrop() {
        flowseg::common::Mask a(128, 128), b(128, 128);
        for (int y = 50; y < 58; ++y)
            for (int x = 60; x < 70; ++x) a.at(y, x) = 1;
        b.at(62, 75) = 1;  // another sample reaches further right and down
        const QRectF region = render::lesionRegion({a, b});
        QVERIFY(region.contains(QRectF(60, 50, 16, 13)));  // both samples inside
        QCOMPARE(region.width(), region.height());
        QVERIFY2(region.width() >= 32 && region.width() < 64,
                 qPrintable(QString::number(region.width())));
        QVERIFY(QRectF(0, 0, 128, 128).contains(region));
        // Every sample empty: the crop's centre, where the lesion is.
        const QRectF centre = render::lesionRegion({flowseg::common::Mask(128, 128)});
        QCOMPARE(centre, QRectF(48, 48, 32, 32));
        // Near the crop's edge the region slides inside rather than leaving it.
        flowseg::common::Mask corner(128, 128);
        corner.at(1, 126) = 1;
        QVERIFY(QRectF(0, 0, 128, 128).contains(render::lesionRegion({corner})));
        // The thumbnail draws that region: the sample's fill covers much more of it
        // than of a thumbnail of the whole crop.
        flowseg::common::ImageF crop(128, 128, 0.2F);
        const auto green = [](const QImage& image) {
            int n = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    n += qGreen(image.pixel(x, y)) > qRed(image.pixel(x, y)) + 20;
            return n;
        };
        const auto whole = render::renderMaskThumbnail(crop, a, 96, QColor(80, 255, 120));
        const auto lesion = render::renderMaskThumbnail(crop, a, 96, QColor(80, 255, 120), region);
        QVERIFY2(green(lesion) > 4 * green(whole),
                 qPrintable(QStringLiteral("%1 vs %2").arg(green(lesion)).arg(green(whole))));
    }

    void contourFollowsPixelEdges() {
        common::Mask m(4, 4);
        m.at(1, 1) = m.at(1, 2) = 1;
        const QPainterPath path = render::maskContour(m);
        QCOMPARE(path.boundingRect(), QRectF(1, 1, 2, 1));
        QCOMPARE(path.elementCount(), 12);  // 6 unit edges, two points each
    }
};

QTEST_MAIN(OverlayRenderTest)
#include "test_overlay_render.moc"
