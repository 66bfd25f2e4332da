// The PACS dock driven like a user (issue 29), against a real Orthanc started
// on loopback: test the node, search by patient ID, pick the study (its series
// are listed), retrieve it by C-MOVE into the local cache and open it, send the
// results back (the report as Encapsulated PDF, found again by C-FIND), and a
// PACS that has gone away is a clear message in the dock.
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include "dicom/orthanc_process.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/pacs_browser.h"

using flowseg::ui::MainWindow;

class PacsDockTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CACHE_HOME", m_dir.filePath(QStringLiteral("cache")).toUtf8());
    }

    void queryRetrieveOpenAndSendBack() {
        if (!std::filesystem::exists(flowseg::test::kOrthanc))
            QSKIP("orthanc is not installed (tools/install-deps.sh installs it)");
        flowseg::test::OrthancProcess pacs;
        const auto error = pacs.start("flowseg_gui_orthanc");
        QVERIFY2(error.empty(), error.c_str());
        auto demo = flowseg::dicom::demoChestCt(2);
        demo.depth = 12;
        demo.hu.resize(static_cast<size_t>(demo.width) * demo.height * demo.depth);
        pacs.client().store(flowseg::dicom::writeSeries(
            m_dir.filePath(QStringLiteral("sent")).toStdString(), demo));

        MainWindow window;
        window.resize(1400, 900);
        QVERIFY(window.openStore(m_dir.filePath(QStringLiteral("pacs.flowseg"))));
        window.show();
        window.pacsDock()->show();
        auto* dock = window.pacsBrowser();
        dock->hostField()->setText(QStringLiteral("127.0.0.1"));
        dock->portField()->setValue(pacs.port());
        dock->listenPortField()->setValue(pacs.movePort());
        dock->methodField()->setCurrentIndex(0);  // C-MOVE
        QTest::mouseClick(dock->testButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dock->status().contains(QStringLiteral("answers")), 20000);
        // Kept as a configured node: another port typed, then the node chosen again.
        dock->saveNode();
        QCOMPARE(dock->nodeList()->count(), 1);
        dock->portField()->setValue(1);
        dock->nodeList()->activated(0);
        QCOMPARE(dock->portField()->value(), pacs.port());
        flowseg::ui::PacsBrowser reopened;  // the next session's dock
        reopened.loadSettings();
        QCOMPARE(reopened.savedNodes().size(), size_t{1});
        QCOMPARE(reopened.savedNodes().front().node.port, pacs.port());

        QTest::keyClicks(dock->patientIdField(), QStringLiteral("FLOWSEG-DEMO"));
        QTest::mouseClick(dock->searchButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dock->studyList()->topLevelItemCount(), 1, 20000);
        QCOMPARE(dock->studyList()->topLevelItem(0)->text(1), QStringLiteral("FLOWSEG-DEMO"));
        const QRect row = dock->studyList()->visualItemRect(dock->studyList()->topLevelItem(0));
        QTest::mouseClick(dock->studyList()->viewport(), Qt::LeftButton, {}, row.center());
        QTRY_COMPARE_WITH_TIMEOUT(dock->seriesList()->topLevelItemCount(), 1, 20000);
        QCOMPARE(dock->seriesList()->topLevelItem(0)->text(2), QStringLiteral("12"));

        QSignalSpy loaded(&window, &MainWindow::seriesLoaded);
        QVERIFY(dock->retrieveButton()->isEnabled());
        QTest::mouseClick(dock->retrieveButton(), Qt::LeftButton);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(window.session().series()->depth, 12);
        QVERIFY2(QString::fromStdString(window.session().series()->files.front())
                     .startsWith(m_dir.filePath(QStringLiteral("cache"))),
                 window.session().series()->files.front().c_str());

        // A lesion, then the results back to the PACS.
        window.markLesion(QRect(64, 94, 32, 32), 6);
        QTest::mouseClick(dock->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dock->status().contains(QStringLiteral("Sent")), 60000);
        bool report = false;
        for (const auto& s : pacs.client().findSeries(window.session().series()->studyUid))
            report = report || s.modality == "DOC";
        QVERIFY2(report, "the report is not on the PACS");
        // tools/screenshots.sh keeps this state for docs/screenshots.
        if (qEnvironmentVariableIsSet("FLOWSEG_SCREENSHOT_DIR"))
            QVERIFY(window.grab().save(qEnvironmentVariable("FLOWSEG_SCREENSHOT_DIR") +
                                       QStringLiteral("/review-pacs.png")));

        // The PACS goes away: the dock says so, in one line, and nothing else breaks.
        pacs.kill();
        QTest::mouseClick(dock->searchButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dock->status().contains(QStringLiteral("does not answer")), 30000);
        QVERIFY(dock->searchButton()->isEnabled());
        QCOMPARE(window.session().series()->depth, 12);
    }
};

QTEST_MAIN(PacsDockTest)
#include "test_pacs_dock.moc"
