// Drives the real review window on the offscreen platform, as a user would:
// loading, scrolling, the readout, marking a lesion, settings, help and bad
// input (sampling runs: test_review_sampling_window.cpp).
#include "review_window_fixture.h"

using flowseg::ui::MainWindow;

class ReviewWindowTest : public QObject, protected flowseg::test::ReviewWindowFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setUpFixture(); }

    void loadsTheDemoStudyIntoViewerAndBrowser() {
        auto window = openDemo("load.flowseg");
        QVERIFY(window);
        QCOMPARE(window->sliceView()->sliceCount(), 40);
        QVERIFY(window->seriesId() > 0);
        QVERIFY(window->browser()->findItem(flowseg::ui::StudyBrowser::Kind::Series,
                                            window->seriesId()));
        QVERIFY(window->statusText().contains("40 slices"));
    }

    void slicesScrollWithArrowsAndWheel() {
        auto window = openDemo("scroll.flowseg");
        QVERIFY(window);
        auto* view = window->sliceView();
        const int start = view->slice();
        QTest::keyClick(window.get(), Qt::Key_Up);
        QCOMPARE(view->slice(), start + 1);
        QTest::keyClick(window.get(), Qt::Key_Down);
        QTest::keyClick(window.get(), Qt::Key_Down);
        QCOMPARE(view->slice(), start - 1);
        QWheelEvent wheel(QPointF(50, 50), view->mapToGlobal(QPointF(50, 50)), QPoint(),
                          QPoint(0, -240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view, &wheel);
        QCOMPARE(view->slice(), start + 1);
        // Window presets by number keys; 1 is the lung window.
        QTest::keyClick(window.get(), Qt::Key_2);
        const auto presets = flowseg::dicom::standardWindows();
        QCOMPARE(view->windowCenter(), presets.at(1).center);
        QTest::keyClick(window.get(), Qt::Key_1);
        QCOMPARE(view->windowWidth(), presets.at(0).width);
    }

    void huReadoutFollowsTheCursor() {
        auto window = openDemo("readout.flowseg");
        QVERIFY(window);
        auto* view = window->sliceView();
        const auto n = flowseg::dicom::demoNodules().at(0);
        view->setSlice(n.slice);
        QString readout;
        connect(view, &flowseg::ui::SliceView::cursorInfoChanged, this,
                [&readout](const QString& t) { readout = t; });
        QTest::mouseMove(view, view->widgetFromSlice(QPointF(n.x + 0.5, n.y + 0.5)).toPoint());
        QVERIFY2(readout.contains(QStringLiteral("x %1, y %2").arg(n.x).arg(n.y)),
                 qPrintable(readout));
        // The solid nodule's core is about +40 HU; the lung around it about -860.
        const double hu = readout.section(':', 1).remove("HU").trimmed().toDouble();
        QVERIFY2(hu > -200 && hu < 200, qPrintable(readout));
    }

    void marksLesionByDragAndUndoesWithZ() {
        auto window = openDemo("roi.flowseg");
        QVERIFY(window);
        int slice = 0;
        const QRect box = noduleBox(&slice);
        window->sliceView()->setSlice(slice);
        dragRoi(*window, box.topLeft(), QPointF(box.right() + 1, box.bottom() + 1));
        QVERIFY(!window->roi().isEmpty());
        QVERIFY(qAbs(window->roi().center().x() - box.center().x()) <= 1);
        QVERIFY(qAbs(window->roi().width() - box.width()) <= 2);
        QCOMPARE(window->roiSlice(), slice);
        QTest::keyClick(window.get(), Qt::Key_Z);
        QVERIFY(window->roi().isEmpty());
        QTest::keyClick(window.get(), Qt::Key_Y);
        QVERIFY(!window->roi().isEmpty());
        QCOMPARE(window->undoStack()->count(), 1);
    }

    void expertOutlinesAppearOnTheirSlice() {
        auto window = openDemo("experts.flowseg");
        QVERIFY(window);
        int slice = 0;
        const QRect box = noduleBox(&slice);
        window->markLesion(box, slice);
        QCOMPARE(window->sliceView()->slice(), slice);
        useQuickSettings(*window, 2, "euler", 2);
        QSignalSpy finished(window.get(), &MainWindow::samplingFinished);
        window->startSampling();  // stores the lesion
        QVERIFY(finished.wait(60000));
        settleStore(*window);
        {
            auto database =
                flowseg::db::Database::open(m_dir.filePath("experts.flowseg").toStdString());
            const auto expert = flowseg::db::ExpertRepository(database).findOrCreate("reader A");
            flowseg::common::Mask mask(256, 256);
            for (int y = 90; y < 102; ++y)
                for (int x = 172; x < 184; ++x) mask.at(y, x) = 1;
            flowseg::db::AnnotationRepository(database).save(window->lesionId(), expert.id, slice,
                                                             mask);
        }
        window->sliceView()->stepSlice(1);
        QVERIFY(window->sliceView()->scene().sliceContours.empty());
        window->sliceView()->stepSlice(-1);
        QCOMPARE(window->sliceView()->scene().sliceContours.size(), size_t{1});
    }

    void paperPresetIsOneClickAwayAndSettingsPersist() {
        {
            MainWindow window;
            QTest::mouseClick(window.controls()->paperButton(), Qt::LeftButton);
            const auto o = window.controls()->options();
            const auto paper = flowseg::engine::SamplingOptions::paper();
            QCOMPARE(o.solver, paper.solver);
            QCOMPARE(o.steps, paper.steps);
            QCOMPARE(o.guidance, paper.guidance);
            QCOMPARE(o.samples, paper.samples);
            window.controls()->seedBox()->setValue(42);
        }
        {
            MainWindow reopened;  // reads QSettings
            const auto o = reopened.controls()->options();
            QCOMPARE(o.steps, 100);
            QCOMPARE(o.seed, std::uint64_t{42});
            QTest::mouseClick(reopened.controls()->fastButton(), Qt::LeftButton);
            QCOMPARE(reopened.controls()->options().steps,
                     flowseg::engine::SamplingOptions::fastDefault().steps);
        }
    }

    void loadingIsReportedAsLoadingAndReadsEachFileOnce() {
        auto window = std::make_unique<MainWindow>();
        window->setModel(m_model);
        QVERIFY(window->openStore(m_dir.filePath("load-once.flowseg")));
        QSignalSpy sampling(window.get(), &MainWindow::samplingProgress);
        QSignalSpy loadProgress(window->tasks(), &flowseg::ui::TaskManager::progressChanged);
        QSignalSpy loaded(window.get(), &MainWindow::seriesLoaded);
        const auto before = flowseg::dicom::dicomFileParses();
        window->openFolder(m_demoFolder);
        QVERIFY(window->tasks()->isBusy(flowseg::ui::TaskManager::Kind::Loading));
        QVERIFY(!window->tasks()->isBusy(flowseg::ui::TaskManager::Kind::Sampling));
        QVERIFY(loaded.wait(60000));
        // The demo study is 40 files: their headers read once (up to the pixel
        // data) to choose the series, the middle one decoded first for the
        // preview, then each decoded once; the store registration uses the headers
        // already read instead of reading the files again.
        QCOMPARE(flowseg::dicom::dicomFileParses() - before, std::uint64_t{40 + 1 + 40});
        QVERIFY(window->seriesId() > 0);
        QVERIFY(!loadProgress.isEmpty());
        QCOMPARE(sampling.size(), 0);  // loading progress is not announced as sampling
        auto database = flowseg::db::Database::open(
            m_dir.filePath("load-once.flowseg").toStdString(), flowseg::db::OpenMode::ReadOnly);
        const auto images = flowseg::db::StudyRepository(database).imagesOf(window->seriesId());
        QCOMPARE(images.size(), size_t{40});
        QVERIFY(images.front().slicePosition.has_value());
    }

    void helpOverlayListsTheShortcuts() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_F1);
        QVERIFY(window.helpOverlay()->isVisible());
        const auto lines = window.helpOverlay()->lines();
        QVERIFY(lines.contains("Sample the marked lesion\tS"));
        QVERIFY(lines.contains("Undo\tCtrl+Z, Z"));
        QTest::keyClick(&window, Qt::Key_Escape);
        QVERIFY(!window.helpOverlay()->isVisible());
    }

    void badInputsGiveMessagesNotCrashes() {
        MainWindow window;
        window.show();
        QVERIFY(!window.loadModel(m_dir.filePath("missing.fsm")));
        QVERIFY2(window.statusText().contains("missing.fsm"), qPrintable(window.statusText()));
        QVERIFY(!window.hasModel());
        window.startSampling();
        QVERIFY(window.statusText().contains("no model"));

        const QString junk = m_dir.filePath("junk.flowseg");
        std::ofstream(junk.toStdString()) << "this is not a database";
        QVERIFY(!window.openStore(junk));
        QVERIFY2(window.statusText().contains("junk.flowseg"), qPrintable(window.statusText()));

        const QString empty = m_dir.filePath("empty-folder");
        QDir().mkpath(empty);
        std::ofstream((empty + "/broken.dcm").toStdString()) << "DICM but not really";
        QSignalSpy failed(&window, &MainWindow::loadFailed);
        window.openFolder(empty);
        QVERIFY(failed.wait(30000));
        QVERIFY2(window.statusText().contains("no loadable DICOM"),
                 qPrintable(window.statusText()));

        window.setModel(m_model);
        window.startSampling();
        QVERIFY(window.statusText().contains("no series"));
    }
};

QTEST_MAIN(ReviewWindowTest)
#include "test_review_window.moc"
