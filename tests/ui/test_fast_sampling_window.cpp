// The fast sampler in the window: a distilled student's jumps are the default,
// the panel states the passes and the expected time before a run, the
// trajectory says what it shows, and the full sampler is one click away.

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "demo_study.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/sampler.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/trajectory_player.h"
#include "tiny_model.h"

using flowseg::ui::MainWindow;

class FastSamplingWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_demoFolder;
    std::shared_ptr<const flowseg::engine::Model> m_teacher;
    std::shared_ptr<const flowseg::engine::Model> m_student;

    std::unique_ptr<MainWindow> openDemo(std::shared_ptr<const flowseg::engine::Model> model,
                                         const QString& storeName) {
        auto window = std::make_unique<MainWindow>();
        window->resize(1400, 900);
        window->setModel(std::move(model));
        if (!window->openStore(m_dir.filePath(storeName))) return nullptr;
        window->show();
        QSignalSpy loaded(window.get(), &MainWindow::seriesLoaded);
        window->openFolder(m_demoFolder);
        if (!loaded.wait(60000)) return nullptr;
        const auto n = flowseg::dicom::demoNodules().at(1);
        window->controls()->wholeNoduleBox()->setChecked(false);  // one slice: seconds
        window->markLesion(QRect(n.x - 9, n.y - 9, 19, 19), n.slice);
        return window;
    }

    static bool sample(MainWindow& window) {
        QSignalSpy finished(&window, &MainWindow::samplingFinished);
        window.startSampling();
        return finished.wait(120000) && finished.first().first().toBool();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_demoFolder = flowseg::test::prepareDemoStudy(m_dir);
        const auto teacherPath = m_dir.filePath("teacher.fsm").toStdString();
        m_teacher = flowseg::test::trainTinyGuiModel(teacherPath);
        m_student =
            flowseg::test::trainTinyGuiStudent(teacherPath, m_dir.filePath("cache").toStdString(),
                                               m_dir.filePath("student.fsm").toStdString());
    }

    void theStudentsJumpsAreTheDefaultAndTheirCostIsStatedFirst() {
        auto window = openDemo(m_student, "student.sqlite");
        QVERIFY(window);
        auto* controls = window->controls();
        auto o = controls->options();
        QCOMPARE(o.solver, flowseg::engine::Solver::Jump);
        QCOMPARE(o.steps, 2);
        QCOMPARE(o.samples, 15);
        // Before the first run on this machine: the passes, and that the time
        // comes with a run.
        QVERIFY2(controls->costText().contains(QStringLiteral("30 network passes per slice")),
                 qPrintable(controls->costText()));
        QVERIFY2(controls->costText().contains(QStringLiteral("paper setting: 6,000")),
                 qPrintable(controls->costText()));
        QVERIFY2(controls->costText().contains(QStringLiteral("after a first run")),
                 qPrintable(controls->costText()));

        QVERIFY(sample(*window));
        QCOMPARE(window->result()->networkPasses, std::int64_t{30});  // one branch, two jumps
        QCOMPARE(window->player()->caption(),
                 QStringLiteral("The student's 2 jumps from noise to mask"));
        // Now the machine's rate is known: the expected time for this lesion.
        QVERIFY2(controls->costText().contains(QStringLiteral(" s for this slice on this machine")),
                 qPrintable(controls->costText()));

        // The full sampler, one click away: the teacher's path, two branches.
        QTest::mouseClick(controls->paperButton(), Qt::LeftButton);
        QVERIFY2(controls->costText().startsWith(QStringLiteral("6,000 network passes per slice")),
                 qPrintable(controls->costText()));
        controls->stepsBox()->setValue(2);  // midpoint 2: quick, the same branch
        QVERIFY(sample(*window));
        QCOMPARE(window->result()->networkPasses, std::int64_t{15 * 2 * 2 * 2});
        QVERIFY2(window->player()->caption().startsWith(
                     QStringLiteral("The full sampler's path (the teacher)")),
                 qPrintable(window->player()->caption()));
        // "Fast default" is the student's again.
        QTest::mouseClick(controls->fastButton(), Qt::LeftButton);
        QCOMPARE(controls->options().solver, flowseg::engine::Solver::Jump);
    }

    void theDefaultFollowsTheModelWhileTheUserKeepsIt() {
        {
            auto window = openDemo(m_student, "follow.sqlite");
            QVERIFY(window);
            QTest::mouseClick(window->controls()->fastButton(), Qt::LeftButton);
            window->close();  // saves the settings
        }
        // A teacher cannot jump: the default it shows is its own ODE setting.
        auto window = openDemo(m_teacher, "teacher.sqlite");
        QVERIFY(window);
        const auto o = window->controls()->options();
        const auto expected = flowseg::engine::SamplingOptions::fastDefault();
        QCOMPARE(o.solver, expected.solver);
        QCOMPARE(o.steps, expected.steps);
        QVERIFY(sample(*window));
        QVERIFY2(window->player()->caption().startsWith(QStringLiteral("The flow's path")),
                 qPrintable(window->player()->caption()));
        // A setting of the user's own is kept when the model changes.
        window->controls()->stepsBox()->setValue(3);
        window->setModel(m_student);
        QCOMPARE(window->controls()->options().steps, 3);
        QCOMPARE(window->controls()->options().solver, expected.solver);
    }
};

QTEST_MAIN(FastSamplingWindowTest)
#include "test_fast_sampling_window.moc"
