// Two review windows on one department server (issue 28), as two workstations
// would have them: each signed in as its login; a study opened in one is
// registered on the server by the window's background load; a lesion a reader
// marks and outlines appears in the adjudicator's browser and outline layers
// live (the change feed), without a reload.
#include <QApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "db/postgres_server.h"
#include "flowseg/db/accounts.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/review/outline_tools.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/study_browser.h"

using flowseg::test::PostgresServer;
using flowseg::ui::MainWindow;
using flowseg::ui::StudyBrowser;

class DepartmentWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static void activate(MainWindow& window, StudyBrowser::Kind kind, qint64 id) {
        auto* browser = window.browser();
        auto* item = browser->findItem(kind, id);
        QVERIFY(item != nullptr);
        browser->expandAll();
        browser->scrollTo(item->index());
        const QPoint at = browser->visualRect(item->index()).center();
        QTest::mouseClick(browser->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(browser->viewport(), Qt::LeftButton, {}, at);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_dir.isValid());
    }

    void aReadersLesionAndOutlinesReachTheAdjudicatorsWindowLive() {
        PostgresServer server;
        {
            auto admin = flowseg::db::Database::open(server.superuserUri());
            flowseg::db::AccountRepository accounts(admin);
            accounts.create("reader_a", flowseg::db::AccountRole::Reader, "secret-a-123");
            accounts.create("chief", flowseg::db::AccountRole::Adjudicator, "secret-c-123");
        }
        const auto folder = m_dir.filePath(QStringLiteral("ct"));
        auto ct = flowseg::dicom::demoChestCt(4);
        ct.depth = 24;
        ct.hu.resize(static_cast<size_t>(ct.width) * ct.height * ct.depth);
        flowseg::dicom::writeSeries(folder.toStdString(), ct);

        MainWindow reader;
        QVERIFY(reader.openStore(QString::fromStdString(server.uri("reader_a", "secret-a-123"))));
        QVERIFY2(reader.statusText().contains(QStringLiteral("signed in as reader_a")),
                 qPrintable(reader.statusText()));
        QSignalSpy readerLoaded(&reader, &MainWindow::seriesLoaded);
        reader.openFolder(folder);  // the load task registers the study on the server
        QVERIFY(readerLoaded.wait(60000));
        const auto seriesId = reader.seriesId();
        QVERIFY(seriesId != 0);

        MainWindow chief;
        chief.resize(1300, 850);
        QVERIFY(chief.openStore(QString::fromStdString(server.uri("chief", "secret-c-123"))));
        chief.show();
        QVERIFY(chief.browser()->findItem(StudyBrowser::Kind::Series, seriesId) != nullptr);
        QSignalSpy chiefLoaded(&chief, &MainWindow::seriesLoaded);
        activate(chief, StudyBrowser::Kind::Series, seriesId);
        QVERIFY(chiefLoaded.wait(60000));

        // The reader marks a lesion and outlines it on two slices.
        auto& session = reader.session();
        session.markLesion({{100, 100, 16, 16}, 12});
        flowseg::common::Mask outline(ct.height, ct.width);
        flowseg::review::paintStroke(outline, {{108, 108}}, 5, {1, 1, 1, false}, true);
        session.editOutline(12, outline, "Brush stroke");
        session.store().flush();
        QTRY_VERIFY_WITH_TIMEOUT(session.lesionId() != 0, 10000);
        const auto lesion = session.lesionId();
        QTRY_VERIFY_WITH_TIMEOUT(
            chief.browser()->findItem(StudyBrowser::Kind::Lesion, lesion) != nullptr, 10000);
        QVERIFY2(chief.statusText().contains(QStringLiteral("reader_a")),
                 qPrintable(chief.statusText()));

        activate(chief, StudyBrowser::Kind::Lesion, lesion);
        QTRY_VERIFY_WITH_TIMEOUT(chief.session().lesionId() == lesion, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(chief.session().outlines().find("reader_a") != nullptr, 10000);
        session.editOutline(13, outline, "Brush stroke");
        session.store().flush();
        QTRY_VERIFY_WITH_TIMEOUT(chief.session().outlines().find("reader_a")->slices.count(13) == 1,
                                 10000);
        QVERIFY2(chief.statusText().contains(QStringLiteral("the one open here")),
                 qPrintable(chief.statusText()));
        // tools/screenshots.sh keeps this state for docs/screenshots.
        if (qEnvironmentVariableIsSet("FLOWSEG_SCREENSHOT_DIR")) {
            chief.sliceView()->setSlice(13);
            QTest::qWait(200);
            QVERIFY(chief.grab().save(qEnvironmentVariable("FLOWSEG_SCREENSHOT_DIR") +
                                      QStringLiteral("/review-department-live.png")));
        }
    }
};

QTEST_MAIN(DepartmentWindowTest)
#include "test_department_window.moc"
