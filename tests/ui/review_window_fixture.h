#pragma once
// The review window tests' common ground (test_review_window.cpp,
// test_review_sampling_window.cpp): the tiny model, the demo study written once,
// a window opened on it, and the moves a user makes.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <fstream>

#include "demo_study.h"
#include "flowseg/db/annotation_repository.h"
#include "flowseg/db/database.h"
#include "flowseg/db/lesion_repository.h"
#include "flowseg/db/run_repository.h"
#include "flowseg/db/study_repository.h"
#include "flowseg/dicom/pixel_decoder.h"
#include "flowseg/dicom/series.h"
#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/network_options.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/engine/synthetic.h"
#include "flowseg/engine/trainer.h"
#include "flowseg/ui/help_overlay.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/study_browser.h"
#include "flowseg/ui/task_manager.h"
#include "flowseg/ui/task_status.h"
#include "flowseg/ui/trajectory_player.h"
#include "tiny_model.h"

namespace flowseg::test {

class ReviewWindowFixture {
protected:
    QTemporaryDir m_dir;
    QString m_demoFolder;
    std::shared_ptr<const flowseg::engine::Model> m_model;

    /// A window with the tiny test network, a fresh store and the demo study loaded.
    std::unique_ptr<flowseg::ui::MainWindow> openDemo(const QString& storeName) {
        return flowseg::test::openWindowOn(m_dir.filePath(storeName), m_demoFolder, m_model,
                                           {1400, 900});
    }

    static QRect noduleBox(int* slice) {
        const auto n = flowseg::dicom::demoNodules().at(1);
        *slice = n.slice;
        return {n.x - 9, n.y - 9, 19, 19};
    }

    /// A quick run of the key slice alone (these tests are about one run; the
    /// whole nodule's are in test_nodule_window.cpp).
    static void useQuickSettings(flowseg::ui::MainWindow& window, int samples,
                                 const QString& solver, int steps) {
        auto* c = window.controls();
        c->wholeNoduleBox()->setChecked(false);
        c->samplesBox()->setValue(samples);
        c->solverBox()->setCurrentText(solver);
        c->stepsBox()->setValue(steps);
    }

    /// Waits until the store writes queued so far are committed and reported back.
    static void settleStore(flowseg::ui::MainWindow& window) {
        window.session().store().flush();
        QCoreApplication::processEvents();
    }

    /// Drags with the ROI tool from slice point a to b.
    static void dragRoi(flowseg::ui::MainWindow& window, QPointF a, QPointF b) {
        QTest::keyClick(&window, Qt::Key_D);
        auto* view = window.sliceView();
        const QPoint pa = view->widgetFromSlice(a).toPoint();
        const QPoint pb = view->widgetFromSlice(b).toPoint();
        QTest::mousePress(view, Qt::LeftButton, Qt::NoModifier, pa);
        QMouseEvent move(QEvent::MouseMove, QPointF(pb), view->mapToGlobal(QPointF(pb)),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view, &move);
        QTest::mouseRelease(view, Qt::LeftButton, Qt::NoModifier, pb);
    }

    /// Test mode for QSettings, the demo study on disk, the tiny model trained.
    void setUpFixture() {
        QVERIFY(m_dir.isValid());
        m_demoFolder = flowseg::test::prepareDemoStudy(m_dir);
        m_model = flowseg::test::trainTinyGuiModel(m_dir.filePath("tiny.fsm").toStdString());
    }
};

}  // namespace flowseg::test
