// A two-expert session driven through the real window on the offscreen platform:
// expert A draws with the brush, undoes and redoes, accepts a sample and edits it,
// completes; expert B in blind review does not see A's outline, draws a polygon;
// open review shows both; the agreement panel's Dice is the one computed here; a
// session killed with SIGKILL loses no stroke it reported saved; and diameters
// of a drawn circle come out right in mm on a series with non-square pixels.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <csignal>

#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/metrics.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/review/study_import.h"
#include "flowseg/ui/agreement_panel.h"
#include "flowseg/ui/expert_panel.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/outline_tools_panel.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/sign_in_dialog.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/task_manager.h"
#include "tiny_model.h"

using flowseg::ui::MainWindow;

class ExpertSessionTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_demoFolder;
    std::shared_ptr<const flowseg::engine::Model> m_model;

    std::unique_ptr<MainWindow> openWindow(const QString& store, const QString& folder) {
        auto window = std::make_unique<MainWindow>();
        window->resize(1500, 950);
        window->setModel(m_model);
        if (!window->openStore(m_dir.filePath(store))) return nullptr;
        window->show();
        QSignalSpy loaded(window.get(), &MainWindow::seriesLoaded);
        window->openFolder(folder);
        if (!loaded.wait(60000)) return nullptr;
        return window;
    }

    static void settle(MainWindow& window) {
        window.session().store().flush();
        QCoreApplication::processEvents();
    }

    /// Press, drag through `path` and release with the left button (slice coordinates).
    static void drag(MainWindow& window, const QVector<QPointF>& path) {
        auto* view = window.sliceView();
        const auto at = [view](const QPointF& p) { return view->widgetFromSlice(p); };
        QTest::mousePress(view, Qt::LeftButton, Qt::NoModifier, at(path.front()).toPoint());
        for (const auto& p : path) {
            QMouseEvent move(QEvent::MouseMove, at(p), view->mapToGlobal(at(p)), Qt::NoButton,
                             Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(view, &move);
        }
        QTest::mouseRelease(view, Qt::LeftButton, Qt::NoModifier, at(path.back()).toPoint());
    }

    /// The Dice the agreement panel shows for its first pair.
    static double shownDice(MainWindow& window) {
        auto* pairs = window.agreementPanel()->pairs();
        return pairs->rowCount() > 0 && pairs->item(0, 2) ? pairs->item(0, 2)->text().toDouble()
                                                          : -1.0;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        flowseg::engine::configureThreads(0);
        m_demoFolder = m_dir.filePath("demo-ct");
        flowseg::dicom::writeSeries(m_demoFolder.toStdString(), flowseg::dicom::demoChestCt());
        m_model = flowseg::test::trainTinyGuiModel(m_dir.filePath("tiny.fsm").toStdString());
    }

    void twoExpertsDrawCompareAndAgree() {
        auto window = openWindow("experts.flowseg", m_demoFolder);
        QVERIFY(window);
        const auto nodule = flowseg::dicom::demoNodules().at(1);
        const int slice = nodule.slice;
        window->markLesion(QRect(nodule.x - 9, nodule.y - 9, 19, 19), slice);
        QCOMPARE(window->sliceView()->slice(), slice);
        window->sliceView()->focusOn(QRectF(nodule.x - 20, nodule.y - 20, 40, 40), 0.9);

        // Expert A, through the sign-in dialog.
        QTimer::singleShot(0, this, [] {
            auto* dialog =
                qobject_cast<flowseg::ui::SignInDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            dialog->nameEdit()->setText(QStringLiteral("Dr A"));
            dialog->roleBox()->setCurrentText(QStringLiteral("radiologist"));
            dialog->accept();
        });
        window->showSignIn();
        window->activateWindow();  // the dialog had the focus: shortcuts go to the active window
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        QCOMPARE(window->session().expert().name, std::string("Dr A"));
        QVERIFY(window->expertPanel()->signedInText().contains("Dr A"));

        // A paints with the brush (B, drag), undoes (Z) and redoes (Y).
        QTest::keyClick(window.get(), Qt::Key_B);
        QCOMPARE(window->sliceView()->tool(), flowseg::ui::SliceView::Tool::Brush);
        drag(*window, {QPointF(nodule.x - 2, nodule.y), QPointF(nodule.x, nodule.y),
                       QPointF(nodule.x + 2, nodule.y)});
        QVERIFY(window->session().ownOutline(slice));
        const long painted = window->session().ownOutline(slice)->area();
        QVERIFY2(painted > 20, qPrintable(QString::number(painted)));
        QCOMPARE(window->sliceView()->scene().sliceContours.size(), size_t{1});
        QTest::keyClick(window.get(), Qt::Key_Z);
        QCOMPARE(window->session().ownOutline(slice)->area(), 0L);
        QTest::keyClick(window.get(), Qt::Key_Y);
        QCOMPARE(window->session().ownOutline(slice)->area(), painted);

        // A samples, accepts sample 2 (A) as the outline and edits it with the eraser.
        auto* controls = window->controls();
        controls->samplesBox()->setValue(6);
        controls->solverBox()->setCurrentText("euler");
        controls->stepsBox()->setValue(3);
        // The key slice alone: the two experts compare on one slice (accepting a
        // nodule's sample outlines every slice it spans: tests/review NoduleRun).
        controls->wholeNoduleBox()->setChecked(false);
        QSignalSpy sampled(window.get(), &MainWindow::samplingFinished);
        QTest::keyClick(window.get(), Qt::Key_S);
        QVERIFY(sampled.wait(120000));
        QVERIFY(sampled.first().first().toBool());
        window->results()->selectSample(1);
        QTest::keyClick(window.get(), Qt::Key_A);
        QVERIFY(window->session().result());
        QVERIFY(window->session().ownOutline(slice));
        const auto& landed = *window->session().result();
        const auto accepted =
            flowseg::review::maskOnSlice(landed.crop, landed.result.masks.at(1), 256, 256);
        QCOMPARE(*window->session().ownOutline(slice), accepted);
        QTest::keyClick(window.get(), Qt::Key_B);
        drag(*window, {QPointF(nodule.x + 6, nodule.y + 6), QPointF(nodule.x + 7, nodule.y + 6)});
        const auto edited = *window->session().ownOutline(slice);
        QVERIFY(edited != accepted);
        QTest::keyClick(window.get(), Qt::Key_C);  // A completes
        settle(*window);
        const auto lesion = window->lesionId();
        QVERIFY(lesion > 0);

        // Expert B in blind review: A's outline is not shown, not even A's name.
        window->signIn(QStringLiteral("Dr B"), QStringLiteral("resident"));
        window->expertPanel()->modeBox()->setCurrentIndex(
            window->expertPanel()->modeBox()->findData(
                static_cast<int>(flowseg::review::ReviewMode::Blind)));
        QCOMPARE(window->session().reviewMode(), flowseg::review::ReviewMode::Blind);
        QVERIFY(window->sliceView()->scene().sliceContours.empty());
        QCOMPARE(window->expertPanel()->legend()->topLevelItemCount(), 0);
        QVERIFY(window->agreementPanel()->summary()->text().contains("Blind review"));
        // B outlines with the polygon tool: clicked vertices, closed by a double click.
        QTest::keyClick(window.get(), Qt::Key_P);
        auto* view = window->sliceView();
        for (const auto& p :
             {QPointF(nodule.x - 5, nodule.y - 5), QPointF(nodule.x + 5, nodule.y - 5),
              QPointF(nodule.x + 5, nodule.y + 5), QPointF(nodule.x - 5, nodule.y + 5)})
            QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier,
                              view->widgetFromSlice(p).toPoint());
        QTest::mouseDClick(view, Qt::LeftButton, Qt::NoModifier,
                           view->widgetFromSlice(QPointF(nodule.x - 5, nodule.y + 5)).toPoint());
        QVERIFY(window->session().ownOutline(slice));
        const auto polygon = *window->session().ownOutline(slice);
        QVERIFY2(polygon.area() > 80, qPrintable(QString::number(polygon.area())));
        QCOMPARE(window->sliceView()->scene().sliceContours.size(), size_t{1});  // only B's own

        // Open review: both outlines, each in its own colour with a legend entry.
        QTest::keyClick(window.get(), Qt::Key_V);
        QCOMPARE(window->session().reviewMode(), flowseg::review::ReviewMode::Open);
        QCOMPARE(window->sliceView()->scene().sliceContours.size(), size_t{2});
        QCOMPARE(window->expertPanel()->legend()->topLevelItemCount(), 2);
        QVERIFY(window->sliceView()->scene().sliceContours[0].colour !=
                window->sliceView()->scene().sliceContours[1].colour);
        // The agreement panel's Dice is the Dice of the two stored outlines.
        settle(*window);
        auto database = flowseg::db::Database::open(m_dir.filePath("experts.flowseg").toStdString(),
                                                    flowseg::db::OpenMode::ReadOnly);
        const auto stored = flowseg::db::AnnotationRepository(database).latestForLesion(lesion);
        QCOMPARE(stored.size(), size_t{2});
        // Dice by hand, 2 |A ∩ B| / (|A| + |B|), not through the function the panel calls.
        long both = 0, sizes = 0;
        for (size_t i = 0; i < stored[0].mask.pixels.size(); ++i) {
            both += stored[0].mask.pixels[i] && stored[1].mask.pixels[i];
            sizes += (stored[0].mask.pixels[i] ? 1 : 0) + (stored[1].mask.pixels[i] ? 1 : 0);
        }
        QVERIFY(both > 0 && sizes > 2 * both);  // they overlap and differ: the Dice tells something
        const double dice = 2.0 * static_cast<double>(both) / static_cast<double>(sizes);
        QCOMPARE(stored[0].mask == edited || stored[1].mask == edited, true);
        QVERIFY2(
            std::abs(shownDice(*window) - dice) < 5e-4,
            qPrintable(QStringLiteral("panel %1, computed %2").arg(shownDice(*window)).arg(dice)));
        // Hiding A leaves B's outline alone on the slice.
        auto* item = window->expertPanel()->legend()->topLevelItem(0);
        item->setCheckState(0, Qt::Unchecked);
        QTRY_COMPARE(window->sliceView()->scene().sliceContours.size(), size_t{1});
        // The STAPLE consensus is a layer of its own.
        window->agreementPanel()->stapleBox()->setChecked(true);
        QCOMPARE(window->sliceView()->scene().sliceContours.size(), size_t{2});
    }

    void eraserThresholdBrushAndFillHolesEditTheOutline() {
        auto window = openWindow("tools.flowseg", m_demoFolder);
        QVERIFY(window);
        const auto nodule = flowseg::dicom::demoNodules().at(0);  // the solid one
        const int slice = nodule.slice;
        window->markLesion(QRect(nodule.x - 12, nodule.y - 12, 25, 25), slice);
        window->sliceView()->focusOn(QRectF(nodule.x - 20, nodule.y - 20, 40, 40), 0.9);
        window->signIn(QStringLiteral("Dr C"), QStringLiteral("radiologist"));
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        const auto outline = [&] { return *window->session().ownOutline(slice); };

        // A solid patch with the brush, then the eraser (E) at its centre with a
        // smaller radius (, twice): a hole inside the patch.
        QTest::keyClick(window.get(), Qt::Key_B);
        for (int dy = -4; dy <= 4; dy += 2)
            drag(*window, {QPointF(nodule.x - 6, nodule.y + dy), QPointF(nodule.x, nodule.y + dy),
                           QPointF(nodule.x + 6, nodule.y + dy)});
        QVERIFY(window->session().ownOutline(slice));
        const long solid = outline().area();
        QCOMPARE(outline().at(nodule.y, nodule.x), std::uint8_t{1});
        QTest::keyClick(window.get(), Qt::Key_Comma);
        QTest::keyClick(window.get(), Qt::Key_Comma);
        QVERIFY(window->session().tools().brushRadiusMm < 3 / 1.5);
        QTest::keyClick(window.get(), Qt::Key_E);
        QCOMPARE(window->session().tools().tool, flowseg::review::OutlineTool::Eraser);
        drag(*window, {QPointF(nodule.x, nodule.y), QPointF(nodule.x, nodule.y)});
        const long holed = outline().area();
        QVERIFY2(holed < solid, qPrintable(QStringLiteral("%1 -> %2").arg(solid).arg(holed)));
        QCOMPARE(outline().at(nodule.y, nodule.x), std::uint8_t{0});
        QCOMPARE(outline().at(nodule.y, nodule.x - 5),
                 std::uint8_t{1});  // the patch around it stays

        // Fill holes (O): the hole is closed, the outline is the solid patch again.
        QTest::keyClick(window.get(), Qt::Key_O);
        QCOMPARE(outline().at(nodule.y, nodule.x), std::uint8_t{1});
        QCOMPARE(outline().area(), solid);
        // Each of the three was one undo step.
        QTest::keyClick(window.get(), Qt::Key_Z);
        QCOMPARE(outline().area(), holed);

        // The threshold brush (T) paints only pixels whose HU lie in its range: on
        // the next slice (an empty outline there), a stroke across the nodule into the lung.
        const int next = slice + 1;
        window->sliceView()->setSlice(next);
        QTRY_COMPARE(window->sliceView()->slice(), next);
        QTest::keyClick(window.get(), Qt::Key_T);
        QCOMPARE(window->session().tools().tool, flowseg::review::OutlineTool::ThresholdBrush);
        const auto tools = window->session().tools();
        const int y = nodule.y;
        drag(*window, {QPointF(nodule.x - 14, y), QPointF(nodule.x, y), QPointF(nodule.x + 14, y)});
        QVERIFY(window->session().ownOutline(next));
        const auto after = *window->session().ownOutline(next);
        const auto& series = *window->session().series();
        int added = 0, refused = 0;
        for (int x = nodule.x - 14; x <= nodule.x + 14; ++x) {
            const float hu = series.at(next, y, x);
            const bool inRange = hu >= tools.lowHu && hu <= tools.highHu;
            if (after.at(y, x)) {
                ++added;
                QVERIFY2(inRange,
                         qPrintable(QStringLiteral("painted %1 HU at x %2").arg(hu).arg(x)));
            } else if (!inRange) {
                ++refused;
            }
        }
        QVERIFY2(added > 0, "the stroke painted nothing");
        QVERIFY2(refused > 0,
                 "the stroke crossed no pixel outside the HU range: the check means nothing");
    }

    void importedReadersAreExpertsInTheStoreAndInOpenReview() {
        // The real LIDC demo (resources/demo-lidc): four readers in one DICOM SEG.
        const QString demo = QStringLiteral(FLOWSEG_SOURCE_DIR "/resources/demo-lidc");
        auto window = openWindow("imported.flowseg", demo + "/ct");
        QVERIFY(window);
        QSignalSpy imported(window.get(), &MainWindow::readersImported);
        window->importReaders(false, {demo + "/readers.seg.dcm"});
        QVERIFY(imported.wait(60000));
        const auto lesions = imported.first().first().value<QList<qint64>>();
        QCOMPARE(lesions.size(), 1);
        QTRY_COMPARE(window->lesionId(), lesions.front());
        // In the store: one expert per reader, each with outlines.
        auto database = flowseg::db::Database::open(
            m_dir.filePath("imported.flowseg").toStdString(), flowseg::db::OpenMode::ReadOnly);
        QCOMPARE(flowseg::db::ExpertRepository(database).all().size(), size_t{4});
        // In open review: four legend entries and, on the key slice, four outlines.
        window->session().setReviewMode(flowseg::review::ReviewMode::Open);
        QCOMPARE(window->expertPanel()->legend()->topLevelItemCount(), 4);
        QCOMPARE(window->sliceView()->slice(), window->session().box().slice);
        QCOMPARE(window->sliceView()->scene().sliceContours.size(), size_t{4});
        QCOMPARE(window->agreementPanel()->pairs()->rowCount(), 6);  // 4 readers: 6 pairs
        // File > Export report: the PDF and the exports, as a task.
        auto* controls = window->controls();
        controls->samplesBox()->setValue(4);
        controls->solverBox()->setCurrentText("euler");
        controls->stepsBox()->setValue(2);
        QSignalSpy sampled(window.get(), &MainWindow::samplingFinished);
        window->startSampling();
        QVERIFY(sampled.wait(60000));
        QSignalSpy exported(window.get(), &MainWindow::reportExported);
        const auto pdf = m_dir.filePath("imported-report.pdf");
        window->exportReport(pdf, m_dir.filePath("imported-exports"));
        QVERIFY(window->tasks()->isBusy(flowseg::ui::TaskManager::Kind::Export));
        QVERIFY(exported.wait(120000));
        QVERIFY2(exported.first().first().toBool(), qPrintable(window->statusText()));
        QProcess pdftotext;
        pdftotext.start(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
        QVERIFY(pdftotext.waitForFinished(30000));
        const auto text = QString::fromUtf8(pdftotext.readAllStandardOutput());
        QVERIFY2(text.contains(QStringLiteral("Lesion %1").arg(lesions.front())),
                 qPrintable(text.left(400)));
        QVERIFY(text.contains("LIDC reader 3"));
        QVERIFY(text.contains(QString::fromStdString(m_model->checksum())));
        QVERIFY(!text.contains("LIDC-IDRI-0004"));
        QVERIFY(QFileInfo::exists(m_dir.filePath(
            QStringLiteral("imported-exports/lesion_%1/experts.seg.dcm").arg(lesions.front()))));

        // A SEG of another series is refused with a message, and nothing is added.
        auto other = openWindow("other.flowseg", m_demoFolder);
        QVERIFY(other);
        QSignalSpy refused(other.get(), &MainWindow::readersImported);
        other->importReaders(false, {demo + "/readers.seg.dcm"});
        QVERIFY(refused.wait(60000));
        QVERIFY(refused.first().first().value<QList<qint64>>().isEmpty());
        QVERIFY2(other->statusText().contains("Cannot import the readers"),
                 qPrintable(other->statusText()));
    }

    void aKilledSessionLosesNothingItReportedSaved() {
        // The session the window runs, in a process of its own, killed with SIGKILL
        // while drawing; the window then reopens the store.
        const auto store = m_dir.filePath("killed.flowseg");
        flowseg::db::RowId seriesId = 0;
        {
            auto database = flowseg::db::Database::open(store.toStdString());
            auto load = flowseg::dicom::loadFolder(m_demoFolder.toStdString());
            seriesId =
                flowseg::review::registerLoadedSeries(database, load.series).seriesIds.front();
        }
        QProcess writer;
        writer.start(QStringLiteral(FLOWSEG_SESSION_CRASH_WRITER),
                     {store, m_demoFolder, QString::number(seriesId), QStringLiteral("Dr K")});
        QVERIFY(writer.waitForStarted());
        QString lastSaved;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000) {
            writer.waitForReadyRead(1000);
            const auto lines =
                QString::fromUtf8(writer.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
            if (!lines.isEmpty()) lastSaved = lines.back();
            if (lastSaved.split(' ').value(2).toLong() > 150) break;  // a few strokes in
        }
        ::kill(static_cast<pid_t>(writer.processId()), SIGKILL);
        writer.waitForFinished();
        QVERIFY2(lastSaved.startsWith("saved"),
                 qPrintable(lastSaved + writer.readAllStandardError()));
        const auto lesion = lastSaved.split(' ').value(1).toLongLong();
        const auto area = lastSaved.split(' ').value(2).toLong();
        // Reopened: the lesion, and an outline at least as large as the last one reported saved.
        auto window = openWindow("killed.flowseg", m_demoFolder);
        QVERIFY(window);
        window->signIn(QStringLiteral("Dr K"), QStringLiteral("radiologist"));
        window->session().selectLesion(lesion);
        QCOMPARE(window->lesionId(), lesion);
        const auto* outline = window->session().ownOutline(window->session().box().slice);
        QVERIFY(outline);
        QVERIFY2(outline->area() >= area,
                 qPrintable(QStringLiteral("%1 < %2").arg(outline->area()).arg(area)));
        QVERIFY(!window->sliceView()->scene().sliceContours.empty());
    }

    void aDrawnCircleMeasuresRightInMillimetresOnNonSquarePixels() {
        // A series whose rows are 0.9 mm apart and columns 0.6 mm.
        auto ct = flowseg::dicom::demoChestCt();
        ct.geometry.rowSpacing = 0.9;
        ct.geometry.columnSpacing = 0.6;
        const auto folder = m_dir.filePath("anisotropic-ct");
        flowseg::dicom::writeSeries(folder.toStdString(), ct);
        auto window = openWindow("aniso.flowseg", folder);
        QVERIFY(window);
        QCOMPARE(window->session().series()->geometry.rowSpacing, 0.9);
        window->signIn(QStringLiteral("Dr M"), QStringLiteral("radiologist"));
        const int slice = 20;
        window->markLesion(QRect(100, 100, 30, 30), slice);
        // One dab of a 6 mm brush: a circle of 6 mm radius (an ellipse in pixels).
        QTest::keyClick(window.get(), Qt::Key_B);
        window->toolsPanel()->brushSizeBox()->setValue(6.0);
        QCOMPARE(window->session().tools().brushRadiusMm, 6.0);
        drag(*window, {QPointF(115, 115)});
        const auto* circle = window->session().ownOutline(slice);
        QVERIFY(circle);
        // The experts panel lists the outline's diameters in mm.
        auto* table = window->expertPanel()->measures();
        QVERIFY(table->rowCount() >= 1);
        const double longest = table->item(0, 2)->text().toDouble();
        const double perpendicular = table->item(0, 3)->text().toDouble();
        const double area = table->item(0, 4)->text().toDouble();
        qInfo(
            "6 mm circle on 0.6 x 0.9 mm pixels: longest %.1f mm, perpendicular %.1f mm, area %.1f "
            "mm²",
            longest, perpendicular, area);
        QVERIFY(std::abs(longest - 12.0) <=
                0.9 + 0.05);  // within one pixel (and the panel's rounding)
        QVERIFY(std::abs(perpendicular - 12.0) <= 0.9 + 0.05);
        QVERIFY(std::abs(area - M_PI * 36.0) <= 0.06 * M_PI * 36.0);
        // Drawn with its true aspect: a mm is as long across as down on screen.
        auto* view = window->sliceView();
        const QPointF origin = view->widgetFromSlice(QPointF(0, 0));
        const double acrossPerMm = (view->widgetFromSlice(QPointF(1, 0)) - origin).x() / 0.6;
        const double downPerMm = (view->widgetFromSlice(QPointF(0, 1)) - origin).y() / 0.9;
        QVERIFY(std::abs(acrossPerMm - downPerMm) < 1e-6 * acrossPerMm);
    }
};

QTEST_MAIN(ExpertSessionTest)
#include "test_expert_session.moc"
