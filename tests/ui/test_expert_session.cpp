// A two-expert session driven through the real window on the offscreen platform:
// expert A draws with the brush, undoes and redoes, accepts a sample and edits it,
// completes; expert B in blind review does not see A's outline, draws a polygon;
// open review shows both; the agreement panel's Dice is the one computed here; the
// outline tools; and diameters of a drawn circle come out right in mm on a series
// with non-square pixels (the store's side: test_expert_session_store.cpp).
#include "expert_session_fixture.h"

using flowseg::ui::MainWindow;

class ExpertSessionTest : public QObject, protected flowseg::test::ExpertSessionFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setUpFixture(); }

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
