#pragma once
// The expert session tests' common ground (test_expert_session.cpp,
// test_expert_session_store.cpp): the tiny model, the demo study written once,
// a window opened on a folder, and the drags a reader makes.
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

#include "demo_study.h"
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

namespace flowseg::test {

class ExpertSessionFixture {
protected:
    QTemporaryDir m_dir;
    QString m_demoFolder;
    std::shared_ptr<const flowseg::engine::Model> m_model;

    std::unique_ptr<flowseg::ui::MainWindow> openWindow(const QString& store,
                                                        const QString& folder) {
        return flowseg::test::openWindowOn(m_dir.filePath(store), folder, m_model, {1500, 950});
    }

    static void settle(flowseg::ui::MainWindow& window) {
        window.session().store().flush();
        QCoreApplication::processEvents();
    }

    /// Press, drag through `path` and release with the left button (slice coordinates).
    static void drag(flowseg::ui::MainWindow& window, const QVector<QPointF>& path) {
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
    static double shownDice(flowseg::ui::MainWindow& window) {
        auto* pairs = window.agreementPanel()->pairs();
        return pairs->rowCount() > 0 && pairs->item(0, 2) ? pairs->item(0, 2)->text().toDouble()
                                                          : -1.0;
    }

    /// Test mode for QSettings, the demo study on disk, the tiny model trained.
    void setUpFixture() {
        QVERIFY(m_dir.isValid());
        m_demoFolder = flowseg::test::prepareDemoStudy(m_dir);
        m_model = flowseg::test::trainTinyGuiModel(m_dir.filePath("tiny.fsm").toStdString());
    }
};

}  // namespace flowseg::test
