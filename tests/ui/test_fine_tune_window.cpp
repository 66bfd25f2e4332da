// Fine-tuning driven through the real window on the offscreen platform: the user
// clicks Fine-tune in the Fine-tuning dock, samples a lesion while it runs, sees
// the loss and the validation GED on the chart and the new version in the list;
// a second job is paused (no step while paused) and cancelled (no version, the
// model in use stays); making an older version active rolls back, and a new
// window on the same store samples with the store's active version.
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <cmath>

#include <QComboBox>
#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/model_repository.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/review/study_import.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/task.h"
#include "flowseg/ui/task_manager.h"
#include "flowseg/ui/training_panel.h"

using flowseg::ui::MainWindow;
namespace db = flowseg::db;

class FineTuneWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_store;
    QString m_modelPath;
    QString m_firstFolder;

    /// Two patients' demo CTs, each nodule outlined by two experts and completed.
    void prepareStore() {
        m_store = m_dir.filePath("finetune.flowseg");
        auto database = db::Database::open(m_store.toStdString());
        db::ExpertRepository experts(database);
        const auto a = experts.findOrCreate("Dr A").id;
        const auto b = experts.findOrCreate("Dr B").id;
        for (const unsigned seed : {1U, 2U}) {
            auto ct = flowseg::dicom::demoChestCt(seed);
            ct.patientId = "P" + std::to_string(seed);
            const auto folder = m_dir.filePath(QStringLiteral("ct%1").arg(seed)).toStdString();
            if (seed == 1) m_firstFolder = QString::fromStdString(folder);
            flowseg::dicom::writeSeries(folder, ct);
            const auto series =
                flowseg::review::registerStudyFolder(database, folder).seriesIds.front();
            for (const auto& n : flowseg::dicom::demoNodules()) {
                const int r = static_cast<int>(std::ceil(n.radius)) + 4;
                db::LesionRecord lesion;
                lesion.seriesId = series;
                lesion.label = n.kind;
                lesion.firstSlice = n.slice - 1;
                lesion.lastSlice = n.slice + 1;
                lesion.box = {n.x - r, n.y - r, 2 * r, 2 * r};
                lesion.state = db::ReviewState::Completed;
                const auto id = db::LesionRepository(database).create(lesion);
                for (int z = n.slice - 1; z <= n.slice + 1; ++z)
                    for (const auto& [expert, grow] : {std::pair{a, 0.0}, std::pair{b, 2.0}}) {
                        flowseg::common::Mask m(256, 256);
                        for (int y = 0; y < 256; ++y)
                            for (int x = 0; x < 256; ++x)
                                if (std::hypot(x - n.x, y - n.y) <= n.radius + grow) m.at(y, x) = 1;
                        db::AnnotationRepository(database).save(id, expert, z, m);
                    }
            }
        }
    }

    std::unique_ptr<MainWindow> openWindow(bool withModel) {
        auto window = std::make_unique<MainWindow>();
        window->resize(1500, 950);
        if (withModel && !window->loadModel(m_modelPath, QStringLiteral("cpu"))) return nullptr;
        if (!window->openStore(m_store)) return nullptr;
        window->show();
        return window;
    }

    // As a user does: the Fine-tuning dock starts hidden; Model > Fine-tuning panel opens it.
    static bool openFineTuningPanel(MainWindow& window) {
        auto* dock = window.trainingDock();
        if (!dock || !dock->isHidden()) return false;
        for (auto* menu : window.menuBar()->findChildren<QMenu*>())
            for (auto* action : menu->actions())
                if (action->text() == QStringLiteral("Fine-tuning panel")) {
                    action->trigger();
                    return !dock->isHidden();
                }
        return false;
    }

    static QTreeWidgetItem* versionRow(MainWindow& window, bool active) {
        auto* tree = window.trainingPanel()->versions();
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            if (tree->topLevelItem(i)->data(0, Qt::UserRole + 1).toBool() == active)
                return tree->topLevelItem(i);
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        std::vector<flowseg::common::MultiRaterCase> cases;
        for (int i = 0; i < 2; ++i)
            cases.push_back(flowseg::engine::generateSyntheticCase({32, 2, 3}, i).data);
        flowseg::engine::TrainingOptions training;
        training.preset = "tiny";
        training.iterations = 1;
        training.batchSize = 2;
        training.device = "cpu";
        training.checkpointPath = m_dir.filePath("tiny.fsm").toStdString();
        flowseg::engine::Trainer(cases, training).run();
        m_modelPath = QString::fromStdString(training.checkpointPath);
        prepareStore();
    }

    void aFineTuneRunsWhileTheUserSamplesAndAddsAVersion() {
        auto window = openWindow(true);
        QVERIFY(window);
        QVERIFY(openFineTuningPanel(*window));
        auto* panel = window->trainingPanel();
        QVERIFY(panel->startButton()->isEnabled());
        QVERIFY(!panel->cancelButton()->isEnabled());
        QSignalSpy loaded(window.get(), &MainWindow::seriesLoaded);
        window->openFolder(m_firstFolder);
        QVERIFY(loaded.wait(60000));

        panel->findChild<QSpinBox*>()->setValue(200);
        QSignalSpy finished(window.get(), &MainWindow::fineTuneFinished);
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        QVERIFY(window->tasks()->isBusy(flowseg::ui::TaskManager::Kind::Training));
        QVERIFY(!panel->startButton()->isEnabled());
        QVERIFY(panel->cancelButton()->isEnabled());

        // The user goes on sampling while the model trains.
        const auto nodule = flowseg::dicom::demoNodules().front();
        window->markLesion(QRect(nodule.x - 10, nodule.y - 10, 20, 20), nodule.slice);
        // A run of a few seconds (the tiny model's default run is over in a blink),
        // so that the fine-tune's progress reports can fall inside it.
        window->controls()->solverBox()->setCurrentText("euler");
        window->controls()->stepsBox()->setValue(400);
        window->controls()->wholeNoduleBox()->setChecked(false);  // one slice: a run of seconds
        QSignalSpy sampled(window.get(), &MainWindow::samplingFinished);
        window->startSampling();
        // Both run at once: the fine-tune is still running when the sampling starts,
        // and it reports training progress while the sampling runs.
        QVERIFY2(
            window->tasks()->isBusy(flowseg::ui::TaskManager::Kind::Training),
            "the fine-tune had finished before the sampling started: nothing ran at the same time");
        QVERIFY(window->tasks()->isBusy(flowseg::ui::TaskManager::Kind::Sampling));
        const int lossPointsAtStart = panel->lossSeries()->count();
        QVERIFY(sampled.wait(120000));
        QCOMPARE(sampled.front().front().toBool(), true);
        QVERIFY2(panel->lossSeries()->count() > lossPointsAtStart || finished.count() == 1,
                 "the fine-tune made no progress while the window sampled");
        // The samples name the version that made them.
        QVERIFY2(window->results()->summaryText().contains(QStringLiteral("Model: tiny.fsm")),
                 qPrintable(window->results()->summaryText()));

        QVERIFY(finished.count() == 1 || finished.wait(300000));
        QCOMPARE(finished.front().front().toInt(),
                 static_cast<int>(flowseg::ui::Task::Outcome::Succeeded));
        QVERIFY(panel->startButton()->isEnabled());
        QVERIFY(panel->lossSeries()->count() >= 2);
        QCOMPARE(panel->validationSeries()->count(), 2);  // the parent and the end
        QCOMPARE(panel->versions()->topLevelItemCount(), 2);
        QVERIFY2(panel->status()->text().contains(QStringLiteral("GED")),
                 qPrintable(panel->status()->text()));
        // Whichever won is active, and the window samples with it.
        auto database = db::Database::open(m_store.toStdString());
        const auto active = db::ModelRepository(database).active();
        QVERIFY(active);
        QCOMPARE(QString::fromStdString(window->session().models().current()->checksum()),
                 QString::fromStdString(active->sha256));
        QVERIFY(versionRow(*window, true));
        QCOMPARE(versionRow(*window, true)->data(0, Qt::UserRole).toLongLong(), active->id);
    }

    void pauseHoldsTheJobAndCancelLeavesNoVersion() {
        auto window = openWindow(true);
        QVERIFY(window);
        QVERIFY(openFineTuningPanel(*window));
        auto* panel = window->trainingPanel();
        const auto versionsBefore = panel->versions()->topLevelItemCount();
        const auto modelBefore = window->session().models().current()->checksum();
        panel->findChild<QSpinBox*>()->setValue(5000);
        QSignalSpy finished(window.get(), &MainWindow::fineTuneFinished);
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        // Wait for training proper (past gathering the cases and the parent's GED).
        QElapsedTimer waited;
        waited.start();
        while (panel->lossSeries()->count() < 1 && waited.elapsed() < 120000) QTest::qWait(50);
        QVERIFY(panel->lossSeries()->count() >= 1);
        QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
        QCOMPARE(panel->pauseButton()->text(), QStringLiteral("Resume"));
        QTest::qWait(400);  // a step in flight may still report
        const auto pointsWhenPaused = panel->lossSeries()->count();
        QTest::qWait(1200);
        QCOMPARE(panel->lossSeries()->count(), pointsWhenPaused);
        QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.front().front().toInt(),
                 static_cast<int>(flowseg::ui::Task::Outcome::Canceled));
        QCOMPARE(panel->versions()->topLevelItemCount(), versionsBefore);
        QCOMPARE(window->session().models().current()->checksum(), modelBefore);
        QVERIFY(!panel->pauseButton()->isChecked());
        QVERIFY(panel->startButton()->isEnabled());
    }

    void anOlderVersionCanBeMadeActiveAgainAndANewWindowUsesIt() {
        std::string inactiveSha;
        {
            auto window = openWindow(true);
            QVERIFY(window);
            QVERIFY(openFineTuningPanel(*window));
            auto* panel = window->trainingPanel();
            auto* inactive = versionRow(*window, false);
            QVERIFY(inactive);
            const auto id = inactive->data(0, Qt::UserRole).toLongLong();
            panel->versions()->setCurrentItem(inactive);
            QVERIFY(panel->activateButton()->isEnabled());
            QTest::mouseClick(panel->activateButton(), Qt::LeftButton);
            window->session().store().flush();
            QCoreApplication::processEvents();
            QCOMPARE(versionRow(*window, true)->data(0, Qt::UserRole).toLongLong(), id);
            auto database = db::Database::open(m_store.toStdString());
            inactiveSha = db::ModelRepository(database).find(id)->sha256;
            QCOMPARE(window->session().models().current()->checksum(), inactiveSha);
        }
        // A window opened on the store later samples with its active version.
        auto window = openWindow(false);
        QVERIFY(window);
        QVERIFY(window->hasModel());
        QCOMPARE(window->session().models().current()->checksum(), inactiveSha);
    }

    void withTooFewFinishedLesionsTheUserIsToldHowManyMore() {
        auto window = std::make_unique<MainWindow>();
        QVERIFY(window->loadModel(m_modelPath, QStringLiteral("cpu")));
        QVERIFY(window->openStore(m_dir.filePath("empty.flowseg"), false));
        QVERIFY(openFineTuningPanel(*window));
        QSignalSpy finished(window.get(), &MainWindow::fineTuneFinished);
        QTest::mouseClick(window->trainingPanel()->startButton(), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.front().front().toInt(),
                 static_cast<int>(flowseg::ui::Task::Outcome::Failed));
        QVERIFY2(window->statusText().contains(QStringLiteral("4 more")),
                 qPrintable(window->statusText()));
        QVERIFY(window->trainingPanel()->startButton()->isEnabled());
    }
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("FlowSegTest"));
    QCoreApplication::setApplicationName(QStringLiteral("fine-tune-window-test"));
    FineTuneWindowTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_fine_tune_window.moc"
