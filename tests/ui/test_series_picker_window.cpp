// Opening a study of several series (issue 29): the window decodes only the
// series to read (the thin one, not the scout or the 5 mm one), shows its first
// image before the rest is decoded, lists the study's series in the Series dock
// (thumbnails, slice counts, the scout marked), and loads another one when the
// user double-clicks it; readers' SEG beside the series (as a PACS returns a
// study) become the lesion's experts.
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "flowseg/dicom/seg.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/search_folders_dialog.h"
#include "flowseg/ui/series_load_task.h"
#include "flowseg/ui/series_picker.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/study_browser.h"
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

    /// Double-clicks the stored series `id` in the window's study browser.
    static void activateStoredSeries(MainWindow& window, qint64 id) {
        auto* browser = window.browser();
        auto* item = browser->findItem(flowseg::ui::StudyBrowser::Kind::Series, id);
        QVERIFY(item != nullptr);
        const auto index = item->index();
        browser->scrollTo(index);
        const QPoint at = browser->visualRect(index).center();
        QTest::mouseClick(browser->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(browser->viewport(), Qt::LeftButton, {}, at);
    }

    // A department store names a series by its UIDs; on a workstation where the
    // stored paths are not, the window finds it in a searched folder (the
    // setting dicom/searchFolders or FLOWSEG_DICOM_PATH), and says plainly when
    // it is nowhere it looked.
    void aStoredSeriesOpensFromWhereThisWorkstationHasIt() {
        const auto first = m_dir.filePath(QStringLiteral("registered-here"));
        auto ct = flowseg::dicom::demoChestCt(5);
        ct.depth = 12;
        ct.hu.resize(static_cast<size_t>(ct.width) * ct.height * ct.depth);
        ct.seriesDescription = "Chest moved";
        flowseg::dicom::writeSeries(first.toStdString(), ct);
        const auto store = m_dir.filePath(QStringLiteral("moved.flowseg"));
        qint64 seriesId = 0;
        {
            MainWindow window;
            QVERIFY(window.openStore(store));
            QSignalSpy loaded(&window, &MainWindow::seriesLoaded);
            window.openFolder(first);
            QVERIFY(loaded.wait(60000));
            seriesId = window.seriesId();
            QVERIFY(seriesId != 0);
        }
        // Another workstation: the study is on its share under another path.
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("share/ct"))));
        QVERIFY(QDir().rename(first, m_dir.filePath(QStringLiteral("share/ct/moved-study"))));

        MainWindow window;
        window.resize(1300, 850);
        QVERIFY(window.openStore(store));
        window.show();
        QSignalSpy loaded(&window, &MainWindow::seriesLoaded);
        QSignalSpy failed(&window, &MainWindow::loadFailed);
        activateStoredSeries(window, seriesId);
        QVERIFY(failed.wait(30000));
        const auto said = QString::fromStdString(window.session().events().message().text);
        QVERIFY2(said.contains(QStringLiteral("not on this workstation")), qPrintable(said));
        QVERIFY2(said.contains(QStringLiteral("FLOWSEG_DICOM_PATH")), qPrintable(said));

        // File > DICOM search folders...: the share is added and kept.
        QAction* searchFolders = nullptr;
        for (auto* action : window.findChildren<QAction*>())
            if (action->text() == QStringLiteral("DICOM search folders...")) searchFolders = action;
        QVERIFY(searchFolders != nullptr);
        const auto share = m_dir.filePath(QStringLiteral("share"));
        bool edited = false;
        QTimer::singleShot(0, this, [&] {
            auto* dialog =
                qobject_cast<flowseg::ui::SearchFoldersDialog*>(QApplication::activeModalWidget());
            if (!dialog) return;
            dialog->addFolder(share);
            dialog->addFolder(share);  // once only
            edited = dialog->folders() == QStringList{share};
            if (qEnvironmentVariableIsSet("FLOWSEG_SCREENSHOT_DIR")) {
                dialog->resize(560, 300);
                dialog->grab().save(qEnvironmentVariable("FLOWSEG_SCREENSHOT_DIR") +
                                    QStringLiteral("/review-search-folders.png"));
            }
            dialog->accept();
        });
        searchFolders->trigger();
        QVERIFY(edited);
        QCOMPARE(QSettings().value(QStringLiteral("dicom/searchFolders")).toStringList(),
                 QStringList{share});
        activateStoredSeries(window, seriesId);
        QVERIFY(loaded.wait(60000));
        QSettings().remove(QStringLiteral("dicom/searchFolders"));
        QCOMPARE(window.session().series()->depth, 12);
        QCOMPARE(window.session().series()->seriesDescription, std::string("Chest moved"));
        QCOMPARE(window.seriesId(), seriesId);
    }
};

QTEST_MAIN(SeriesPickerWindowTest)
#include "test_series_picker_window.moc"
