// Opening a study of several series (issue 29): the window decodes only the
// series to read (the thin one, not the scout or the 5 mm one), shows its first
// image before the rest is decoded, lists the study's series in the Series dock
// (thumbnails, slice counts, the scout marked), and loads another one when the
// user double-clicks it; readers' SEG beside the series (as a PACS returns a
// study) become the lesion's experts.
#include <QApplication>
#include <QDockWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/series_load_task.h"
#include "flowseg/ui/series_picker.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/task_manager.h"

using flowseg::ui::MainWindow;

class SeriesPickerWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    /// One study: a scout, a 40-slice series and an 8-slice one (5 mm).
    QString writeStudy() {
        const auto folder = m_dir.filePath(QStringLiteral("study")).toStdString();
        auto thin = flowseg::dicom::demoChestCt(3);
        thin.studyUid = "1.2.826.0.1.3680043.8.498.88001";
        thin.seriesDescription = "Chest 1.25 mm";
        thin.fileNamePattern = "thin_%03d.dcm";
        flowseg::dicom::writeSeries(folder + "/thin", thin);
        auto thick = thin;
        thick.depth = 8;
        thick.hu.resize(static_cast<size_t>(thick.width) * thick.height * thick.depth);
        thick.geometry.sliceSpacing = 5;
        thick.seriesDescription = "Chest 5 mm";
        thick.fileNamePattern = "thick_%03d.dcm";
        flowseg::dicom::writeSeries(folder + "/thick", thick);
        auto scout = thin;
        scout.depth = 1;
        scout.hu.resize(static_cast<size_t>(scout.width) * scout.height);
        scout.imageType = "ORIGINAL\\PRIMARY\\LOCALIZER";
        scout.seriesDescription = "Topogram 0.6";
        scout.fileNamePattern = "scout_%03d.dcm";
        flowseg::dicom::writeSeries(folder + "/scout", scout);
        // Two readers' outlines of the thin series, as a PACS returns them.
        const auto loaded = flowseg::dicom::loadFolder(folder + "/thin").series.at(0);
        flowseg::common::Mask a(256, 256), b(256, 256);
        for (int y = 104; y < 116; ++y)
            for (int x = 74; x < 86; ++x) a.at(y, x) = b.at(y, x) = 1;
        b.at(103, 80) = 1;
        flowseg::dicom::writeBinarySeg(folder + "/experts.seg.dcm", loaded,
                                       {{"Reader A", {{14, a}}}, {"Reader B", {{14, b}}}},
                                       "FlowSeg experts' outlines");
        return QString::fromStdString(folder);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_dir.isValid());
    }

    void theReadingSeriesOpensFirstAndThePickerSwitchesSeries() {
        const auto study = writeStudy();
        MainWindow window;
        window.resize(1300, 850);
        QVERIFY(window.openStore(m_dir.filePath(QStringLiteral("picker.flowseg"))));
        window.show();
        // The first image reaches the view while the task still runs.
        int previewDepth = -1;
        bool previewBeforeEnd = false;
        connect(window.tasks(), &flowseg::ui::TaskManager::taskStarted, this,
                [&](flowseg::ui::Task* task, flowseg::ui::TaskManager::Kind) {
                    auto* load = qobject_cast<flowseg::ui::SeriesLoadTask*>(task);
                    if (load == nullptr) return;
                    connect(load, &flowseg::ui::SeriesLoadTask::previewReady, this, [&] {
                        previewDepth =
                            window.sliceView()->series() ? window.sliceView()->series()->depth : 0;
                        previewBeforeEnd =
                            !window.session().series() || window.session().series()->depth != 40;
                    });
                });
        QSignalSpy loaded(&window, &MainWindow::seriesLoaded);
        QSignalSpy imported(&window, &MainWindow::readersImported);
        window.openFolder(study);
        QVERIFY(loaded.wait(60000));
        // The readers' SEG beside the series became the lesion's experts.
        QVERIFY(imported.wait(30000));
        QCOMPARE(imported.first().first().value<QList<qint64>>().size(), 1);
        QTRY_VERIFY(window.session().lesionId() != 0);
        QCOMPARE(previewDepth, 1);
        QVERIFY(previewBeforeEnd);
        QCOMPARE(window.session().series()->depth, 40);
        QCOMPARE(window.session().series()->seriesDescription, std::string("Chest 1.25 mm"));
        QCOMPARE(window.sliceView()->series()->depth, 40);

        auto* picker = window.seriesPicker();
        QTRY_VERIFY(picker->isVisible());
        QCOMPARE(picker->count(), 3);
        int scouts = 0;
        QListWidgetItem* thick = nullptr;
        for (int i = 0; i < picker->count(); ++i) {
            auto* item = picker->item(i);
            QVERIFY2(!item->icon().isNull(), qPrintable(item->text()));
            if (item->text().contains(QStringLiteral("scout"))) {
                ++scouts;
                QVERIFY(item->text().contains(QStringLiteral("Topogram")));
            }
            if (item->text().contains(QStringLiteral("Chest 5 mm"))) {
                thick = item;
                QVERIFY2(item->text().contains(QStringLiteral("8 slices")),
                         qPrintable(item->text()));
            }
            if (item->text().contains(QStringLiteral("1.25 mm"))) QVERIFY(item->font().bold());
        }
        QCOMPARE(scouts, 1);
        // tools/screenshots.sh keeps this state for docs/screenshots.
        if (qEnvironmentVariableIsSet("FLOWSEG_SCREENSHOT_DIR"))
            QVERIFY(window.grab().save(qEnvironmentVariable("FLOWSEG_SCREENSHOT_DIR") +
                                       QStringLiteral("/review-series-picker.png")));
        QVERIFY(thick != nullptr);
        // Double-click the 5 mm series: it replaces the thin one.
        picker->scrollToItem(thick);
        const QPoint at = picker->visualItemRect(thick).center();
        QTest::mouseClick(picker->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(picker->viewport(), Qt::LeftButton, {}, at);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(window.session().series()->depth, 8);
        QTest::qWait(300);
        QCOMPARE(imported.size(), 1);  // the SEG is of the thin series, not this one
        QVERIFY(picker->itemOf(QString::fromStdString(window.session().series()->seriesUid))
                    ->font()
                    .bold());
        // Both are in the store's browser now, each its own series.
        QVERIFY(window.seriesId() != 0);
    }
};

QTEST_MAIN(SeriesPickerWindowTest)
#include "test_series_picker_window.moc"
