// The expert session and its store, through the real window on the offscreen
// platform: imported readers are experts in the store and in open review, and a
// session killed with SIGKILL loses no stroke it reported saved.
#include "expert_session_fixture.h"

using flowseg::ui::MainWindow;

class ExpertSessionStoreTest : public QObject, protected flowseg::test::ExpertSessionFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setUpFixture(); }

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
};

QTEST_MAIN(ExpertSessionStoreTest)
#include "test_expert_session_store.moc"
