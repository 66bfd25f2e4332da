#include "demo_driver.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "flowseg/dicom/series_writer.h"
#include "flowseg/review/lidc_demo.h"
#include "flowseg/ui/agreement_panel.h"
#include "flowseg/ui/help_overlay.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/training_panel.h"
#include "flowseg/ui/trajectory_player.h"

namespace flowseg::review_app {

namespace {

using ui::MainWindow;

/// Writes the demo study once; returns its folder.
QString prepareDemoStudy(const QString& root) {
    const QString folder = QDir(root).filePath(QStringLiteral("demo-ct"));
    if (!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("slice_000.dcm")))) {
        std::filesystem::create_directories(folder.toStdString());
        flowseg::dicom::writeSeries(folder.toStdString(), flowseg::dicom::demoChestCt());
    }
    return folder;
}

/// The stored lesion of the open series marked with `box` on `slice`, or 0.
std::int64_t storedLesion(const MainWindow& window, const QRect& box, int slice) {
    for (const auto& lesion : window.session().lesions())
        if (lesion.firstSlice == slice && lesion.box.x == box.x() && lesion.box.y == box.y() &&
            lesion.box.width == box.width() && lesion.box.height == box.height())
            return lesion.id;
    return 0;
}

/// The demo's lesion: a box around the part-solid nodule (the most ambiguous edge).
QRect demoLesionBox(int* slice) {
    const auto nodule = flowseg::dicom::demoNodules().at(1);
    *slice = nodule.slice;
    const int half = static_cast<int>(nodule.radius + 3 * nodule.softness + 1);
    return {nodule.x - half, nodule.y - half, 2 * half + 1, 2 * half + 1};
}

void applyView(MainWindow& window, const QString& view) {
    if (view == QLatin1String("samples")) {
        window.results()->setHeatmap(flowseg::ui::ResultsPanel::Heatmap::None);
        window.results()->selectSample(0);
    } else if (view == QLatin1String("probability")) {
        window.results()->setHeatmap(flowseg::ui::ResultsPanel::Heatmap::Probability);
    } else if (view == QLatin1String("trajectory")) {
        auto* player = window.player();
        player->setShownOnSlice(true);
        player->setFrame(player->frameCount() / 3);
    } else if (view == QLatin1String("review")) {
        // Every expert's outline, the heatmap, and the agreement panel in front.
        window.session().setReviewMode(flowseg::review::ReviewMode::Open);
        if (auto* dock = window.agreementPanel()->parentWidget()) dock->raise();
    } else if (view == QLatin1String("nodule-above") || view == QLatin1String("nodule-below")) {
        // The nodule's samples one slice above (below) the key slice, sample 1 picked.
        window.session().setReviewMode(review::ReviewMode::Open);
        window.results()->selectSample(0);
        if (const auto* landed = window.session().result(); landed && !landed->slices.empty()) {
            const int step = view == QLatin1String("nodule-above") ? 1 : -1;
            const int slice =
                std::clamp(landed->crop.slice + step, landed->slices.front().crop.slice,
                           landed->slices.back().crop.slice);
            window.sliceView()->setSlice(slice);
        }
    } else if (view == QLatin1String("help")) {
        auto* help = window.helpOverlay();
        help->setGeometry(window.centralWidget()->geometry());
        help->show();
        help->raise();
    }
}

/// Looks at the lesion under review and samples it.
void sampleCurrentLesion(MainWindow& window, double side) {
    window.session().setReviewMode(review::ReviewMode::Open);
    const auto& b = window.session().box();
    window.sliceView()->focusOn(QRectF(b.box.x + b.box.width / 2.0 - side / 2,
                                       b.box.y + b.box.height / 2.0 - side / 2, side, side),
                                0.95);
    window.startSampling();
}

}  // namespace

bool driveSyntheticDemo(MainWindow& window, const QString& dataRoot, QString* folder,
                        QString* error) {
    try {
        *folder = prepareDemoStudy(dataRoot);
    } catch (const std::exception& e) {
        *error = QStringLiteral("cannot write the demo study below '%1': %2")
                     .arg(dataRoot, QString::fromStdString(e.what()));
        return false;
    }
    QObject::connect(&window, &MainWindow::seriesLoaded, &window, [&window] {
        int slice = 0;
        const QRect box = demoLesionBox(&slice);
        // A second start reopens the demo's lesion instead of adding an identical one.
        if (const auto stored = storedLesion(window, box, slice))
            window.session().selectLesion(stored);
        else
            window.markLesion(box, slice);
        window.sliceView()->focusOn(
            QRectF(QPointF(box.center()) - QPointF(64, 64), QSizeF(128, 128)), 0.95);
        window.startSampling();
    });
    return true;
}

bool driveLidcDemo(MainWindow& window, QString* folder, QString* error) {
    review::LidcDemo demo;
    try {
        demo = review::findLidcDemo(QCoreApplication::applicationDirPath().toStdString());
    } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
        return false;
    }
    *folder = QString::fromStdString(demo.ct);
    const auto readers = QString::fromStdString(demo.readers);
    QObject::connect(&window, &MainWindow::seriesLoaded, &window, [&window, readers] {
        const auto& lesions = window.session().lesions();
        if (!lesions.empty()) {
            window.session().selectLesion(lesions.front().id);
            sampleCurrentLesion(window, 64);
            return;
        }
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = QObject::connect(&window, &MainWindow::readersImported, &window,
                                       [connection, &window](const QList<qint64>& ids) {
                                           QObject::disconnect(*connection);
                                           if (!ids.isEmpty()) sampleCurrentLesion(window, 64);
                                       });
        window.importReaders(false, {readers});
    });
    return true;
}

void scheduleScreenshot(MainWindow& window, const ScreenshotPlan& plan) {
    auto save = [&window, plan] {
        applyView(window, plan.view);
        QTimer::singleShot(300, &window, [&window, file = plan.file] {
            const bool ok = window.grab().save(file);
            std::fprintf(ok ? stdout : stderr,
                         ok ? "screenshot %s\n" : "flowseg-review: error: cannot write '%s'\n",
                         qPrintable(file));
            QApplication::exit(ok ? 0 : 1);
        });
    };
    if (plan.view == QLatin1String("finetune")) {
        // A short fine-tune on the store's finished lesions, started once the demo
        // (if any) has sampled, with the Fine-tuning dock in front; shot when it ends.
        if (auto* dock = window.trainingPanel()->parentWidget()) {
            dock->show();
            dock->raise();
        }
        review::FineTuneOptions options;
        const int steps = qEnvironmentVariableIntValue("FLOWSEG_SCREENSHOT_STEPS");
        options.steps = steps > 0 ? steps : 90;
        options.evaluateEvery = options.steps / 3;
        options.validationSamples = 4;
        const auto start = [&window, options] { window.startFineTune(options); };
        QObject::connect(&window, &MainWindow::fineTuneFinished, &window, save);
        if (plan.willSample)
            QObject::connect(&window, &MainWindow::samplingFinished, &window, start);
        else
            QTimer::singleShot(200, &window, start);
        return;
    }
    QObject::connect(&window, &MainWindow::samplingFinished, &window, save);
    QObject::connect(&window, &MainWindow::loadFailed, &window, save);
    if (!plan.willSample) QObject::connect(&window, &MainWindow::seriesLoaded, &window, save);
    if (!plan.willLoad) QTimer::singleShot(500, &window, save);
}

}  // namespace flowseg::review_app
