// The window samples a whole nodule (issue 31): on the real LIDC-IDRI-0004
// nodule with its four readers, one run covers every slice the readers outlined
// (and more while a sample continues); the user scrolls through the slices with
// the keyboard and finds sample k on each slice where the run put it, the
// heatmap of that slice, and nothing on a slice the samples do not reach; the
// gallery and the results panel give each sample's volume and diameter and
// their median and 5-95 % range.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QListWidget>
#include <QScatterSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include "flowseg/engine/model.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/render/overlay_renderer.h"
#include "flowseg/review/nodule_measures.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/volume_plot.h"
#include "tiny_model.h"

using flowseg::ui::MainWindow;

namespace {

/// Whether `scene` draws `mask`'s outline in the selected sample's colour.
bool drawsSelected(const flowseg::render::OverlayScene& scene, const flowseg::common::Mask& mask) {
    const auto contour = flowseg::render::maskContour(mask);
    for (const auto& layer : scene.cropContours)
        if (layer.colour == QColor(60, 255, 90) && layer.path == contour) return true;
    return false;
}

}  // namespace

class NoduleWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::shared_ptr<const flowseg::engine::Model> m_model;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        flowseg::engine::configureThreads(0);
        m_model = flowseg::test::trainTinyGuiModel(m_dir.filePath("tiny.fsm").toStdString());
    }

    void scrollingThroughTheNoduleShowsSampleKOnEachSlice() {
        const QString demo = QStringLiteral(FLOWSEG_SOURCE_DIR "/resources/demo-lidc");
        MainWindow window;
        window.resize(1500, 950);
        window.setModel(m_model);
        QVERIFY(window.openStore(m_dir.filePath("nodule.flowseg")));
        window.show();
        QSignalSpy loaded(&window, &MainWindow::seriesLoaded);
        window.openFolder(demo + "/ct");
        QVERIFY(loaded.wait(60000));
        QSignalSpy imported(&window, &MainWindow::readersImported);
        window.importReaders(false, {demo + "/readers.seg.dcm"});
        QVERIFY(imported.wait(60000));
        QTRY_VERIFY(window.session().lesionId() != 0);
        // The slices the four readers outlined.
        std::set<int> outlined;
        for (const auto* layer : window.session().outlines().layers())
            for (const auto& [slice, mask] : layer->slices)
                if (mask.area() > 0) outlined.insert(slice);
        QVERIFY(outlined.size() >= 2);

        auto* controls = window.controls();
        QVERIFY(controls->wholeNoduleBox()->isChecked());  // the default
        controls->samplesBox()->setValue(4);
        controls->solverBox()->setCurrentText("euler");
        controls->stepsBox()->setValue(2);
        QSignalSpy sampled(&window, &MainWindow::samplingFinished);
        window.startSampling();
        QVERIFY(sampled.wait(120000));
        QVERIFY(sampled.front().front().toBool());
        const auto* landed = window.session().result();
        QVERIFY(landed);
        const auto& slices = landed->slices;
        // Every outlined slice, consecutive, and at most the stated limit.
        QVERIFY(static_cast<int>(slices.size()) >= *outlined.rbegin() - *outlined.begin() + 1);
        QVERIFY(static_cast<int>(slices.size()) <= flowseg::review::kMaxNoduleSlices);
        QVERIFY(slices.front().crop.slice <= *outlined.begin());
        QVERIFY(slices.back().crop.slice >= *outlined.rbegin());
        for (size_t i = 1; i < slices.size(); ++i)
            QCOMPARE(slices[i].crop.slice, slices[i - 1].crop.slice + 1);
        // The run grew only while a sample continued: an end slice past the readers'
        // range is there because the slice before it was marked.
        const auto marked = [](const flowseg::review::SliceSamples& s) {
            for (const auto& m : s.result.masks)
                if (m.area() > 0) return true;
            return false;
        };
        if (slices.back().crop.slice > *outlined.rbegin())
            QVERIFY(marked(slices[slices.size() - 2]));
        if (slices.front().crop.slice < *outlined.begin()) QVERIFY(marked(slices[1]));
        QVERIFY(window.statusText().contains(QStringLiteral("through slices")));

        // Pick sample 3 in the gallery, go below the nodule, and scroll up through it
        // with the keyboard: sample 3 of each slice's run is drawn there.
        const int k = 2;
        window.results()->gallery()->setCurrentRow(k);
        QTRY_COMPARE(window.session().layers().selectedSample, k);
        const int first = slices.front().crop.slice;
        const int last = slices.back().crop.slice;
        const int depth = window.session().series()->depth;
        int samplesSeen = 0;
        // What the view shows on the slice it is on.
        const auto checkSlice = [&] {
            const int slice = window.sliceView()->slice();
            const auto& scene = window.sliceView()->scene();
            const auto* here = landed->onSlice(slice);
            if (!here) {
                QVERIFY2(scene.cropContours.empty() && scene.heatmap.isNull(),
                         qPrintable(QStringLiteral("slice %1 is outside the samples").arg(slice)));
                return;
            }
            ++samplesSeen;
            QCOMPARE(scene.cropRect, QRectF(here->crop.originX, here->crop.originY, here->crop.span,
                                            here->crop.span));
            const auto& mask = here->result.masks[static_cast<size_t>(k)];
            if (mask.area() > 0)
                QVERIFY2(drawsSelected(scene, mask),
                         qPrintable(QStringLiteral("sample %1 is not drawn on slice %2")
                                        .arg(k + 1)
                                        .arg(slice)));
            QVERIFY(!scene.heatmap.isNull());  // the variance heatmap of this slice
        };
        window.sliceView()->setSlice(std::max(0, first - 1));
        checkSlice();
        for (int step = 0; window.sliceView()->slice() < std::min(last + 1, depth - 1) && step < 60;
             ++step) {
            QTest::keyClick(&window, Qt::Key_Up);
            checkSlice();
        }
        QVERIFY(window.sliceView()->slice() >= last);
        QCOMPARE(samplesSeen, static_cast<int>(slices.size()));  // every slice of the run visited
        int drawn = 0;
        for (const auto& s : slices) drawn += s.result.masks[static_cast<size_t>(k)].area() > 0;
        QVERIFY2(drawn > 1, "sample k marks fewer than two slices: the check means little");
        qInfo("nodule: %d slices (%d-%d), readers outlined %d-%d, sample %d marks %d of them",
              static_cast<int>(slices.size()), first + 1, last + 1, *outlined.begin() + 1,
              *outlined.rbegin() + 1, k + 1, drawn);

        // The gallery's sample volumes and the panel's spread are the nodule's.
        const auto measures = flowseg::review::measureNodule(
            slices, flowseg::review::spacingOf(*window.session().series()));
        QVERIFY(window.results()->gallery()->item(k)->text().contains(
            QString::number(measures.samples[static_cast<size_t>(k)].volumeMm3, 'f', 0) + " mm³"));
        const auto text = window.results()->measuresText();
        QVERIFY2(text.contains(QStringLiteral("Over %1 slice(s)").arg(slices.size())),
                 qPrintable(text));
        QVERIFY2(text.contains(QString::number(measures.volumeMm3.median, 'f', 0)),
                 qPrintable(text));

        // The volume plot: a point per sample at its volume, the four readers' volumes.
        auto* plot = window.results()->volumePlot();
        QVERIFY(plot->isVisible());
        QCOMPARE(plot->samples()->count(), 4);
        QCOMPARE(plot->samples()->at(k).x(), measures.samples[static_cast<size_t>(k)].volumeMm3);
        QCOMPARE(plot->experts()->count(), 4);

        // Off: the key slice alone.
        controls->wholeNoduleBox()->setChecked(false);
        QVERIFY(!window.session().wholeNodule());
        sampled.clear();
        window.startSampling();
        QVERIFY(sampled.wait(120000));
        QCOMPARE(window.session().result()->slices.size(), size_t{1});
        QCOMPARE(window.session().result()->slices.front().crop.slice,
                 window.session().box().slice);
    }
};

QTEST_MAIN(NoduleWindowTest)
#include "test_nodule_window.moc"
