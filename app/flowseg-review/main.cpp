// flowseg-review: the review window. `--demo` opens the built-in demo study with
// the shipped model and samples its part-solid nodule; `--screenshot FILE` saves
// the window once that work is done and exits (visual checks, docs).
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>
#include <filesystem>
#include <string_view>

#include <spdlog/spdlog.h>

#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/model_location.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/ui/about.h"
#include "flowseg/ui/agreement_panel.h"
#include "flowseg/ui/help_overlay.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/ui/results_panel.h"
#include "flowseg/ui/sampling_controls.h"
#include "flowseg/ui/slice_view.h"
#include "flowseg/ui/training_panel.h"
#include "flowseg/ui/trajectory_player.h"
#include "flowseg/version.h"

namespace {

using flowseg::ui::MainWindow;

/// Writes the demo study once; returns its folder.
QString prepareDemoStudy(const QString& root) {
    const QString folder = QDir(root).filePath(QStringLiteral("demo-ct"));
    if (!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("slice_000.dcm")))) {
        std::filesystem::create_directories(folder.toStdString());
        flowseg::dicom::writeSeries(folder.toStdString(), flowseg::dicom::demoChestCt());
    }
    return folder;
}

/// The real LIDC demo study, installed (or staged by the build) beside the
/// program in share/flowseg/demo-lidc. Empty when it is not there.
QString lidcDemoFolder() {
    const QString folder = QDir(QCoreApplication::applicationDirPath())
                               .filePath(QStringLiteral("../share/flowseg/demo-lidc"));
    return QFileInfo::exists(QDir(folder).filePath(QStringLiteral("readers.seg.dcm")))
               ? QDir(folder).absolutePath()
               : QString();
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
    } else if (view == QLatin1String("help")) {
        auto* help = window.helpOverlay();
        help->setGeometry(window.centralWidget()->geometry());
        help->show();
        help->raise();
    }
}

/// --help and --version print and exit: they need no display, so they run on the
/// offscreen platform (a shell without X or Wayland would otherwise abort in the
/// platform plugin before printing anything).
void useOffscreenPlatformForTextOnlyOptions(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version") {
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
            return;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    useOffscreenPlatformForTextOnlyOptions(argc, argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FlowSeg"));
    QApplication::setApplicationName(QStringLiteral("FlowSeg Review"));
    QApplication::setApplicationVersion(QStringLiteral(FLOWSEG_VERSION));
    flowseg::ui::initResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/flowseg-review.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Review ambiguous lesions: plausible masks, uncertainty, trajectory."));
    parser.addHelpOption();
    const QCommandLineOption version(
        QStringList{QStringLiteral("v"), QStringLiteral("version")},
        QStringLiteral("Print the versions of the app, Qt, LibTorch, DCMTK, OpenCV, SQLite "
                       "and the model it would load, then exit."));
    parser.addOption(version);
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QStringLiteral("Open the built-in synthetic demo study and sample its nodule; "
                       "`--demo lidc`: the real LIDC-IDRI-0004 nodule with its four readers."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window to FILE once loading/sampling is done, then exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption view(
        QStringLiteral("view"),
        QStringLiteral(
            "State for --screenshot: heatmap, samples, probability, trajectory, review, help, "
            "finetune (fine-tunes on the store's finished lesions, shot when it ends)."),
        QStringLiteral("STATE"), QStringLiteral("heatmap"));
    const QCommandLineOption model(
        QStringLiteral("model"),
        QStringLiteral("Model checkpoint (.fsm); default: the shipped one."),
        QStringLiteral("FILE"));
    const QCommandLineOption store(QStringLiteral("store"),
                                   QStringLiteral("Annotation store (created when missing)."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("cpu, cuda or auto."),
                                    QStringLiteral("DEVICE"), QStringLiteral("auto"));
    const QCommandLineOption threads(QStringLiteral("threads"),
                                     QStringLiteral("CPU threads for the network (0 = all cores)."),
                                     QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption workdir(QStringLiteral("workdir"),
                                     QStringLiteral("Folder for the demo study and store."),
                                     QStringLiteral("DIR"));
    for (const auto& option : {demo, screenshot, view, model, store, device, threads, workdir})
        parser.addOption(option);
    parser.addPositionalArgument(QStringLiteral("folder"),
                                 QStringLiteral("A DICOM folder to open."),
                                 QStringLiteral("[folder]"));
    parser.process(app);
    if (parser.isSet(version)) {
        std::shared_ptr<const flowseg::engine::Model> found;
        try {
            const auto path = parser.isSet(model)
                                  ? parser.value(model).toStdString()
                                  : flowseg::engine::findDefaultModel(
                                        QCoreApplication::applicationDirPath().toStdString());
            found = flowseg::engine::Model::load(path, "cpu");
        } catch (const std::exception&) {
            // reported as "none loaded" below
        }
        std::printf("%s\n",
                    qPrintable(flowseg::ui::versionLines(found.get()).join(QLatin1Char('\n'))));
        return 0;
    }

    const QString dataRoot =
        parser.isSet(workdir)
            ? parser.value(workdir)
            : QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    flowseg::ui::setLogFile(
        QDir(dataRoot).filePath(QStringLiteral("logs/flowseg-review.log")).toStdString());
    const int threadCount = flowseg::engine::configureThreads(parser.value(threads).toInt());
    flowseg::ui::logger("ui")->info("{} CPU threads, BLAS {}", threadCount,
                                    flowseg::engine::blasLibrary());

    MainWindow window;
    window.resize(1500, 920);
    QString modelPath = parser.value(model);
    if (modelPath.isEmpty()) {
        try {
            modelPath = QString::fromStdString(flowseg::engine::findDefaultModel(
                QCoreApplication::applicationDirPath().toStdString()));
        } catch (const std::exception& e) {
            window.reportError(QStringLiteral("No model"),
                               QString::fromStdString(e.what()).replace('\n', ' '));
        }
    }
    if (!modelPath.isEmpty()) window.loadModel(modelPath, parser.value(device));
    const QString storePath = parser.isSet(store)
                                  ? parser.value(store)
                                  : QDir(dataRoot).filePath(QStringLiteral("review.flowseg"));
    QDir().mkpath(QFileInfo(storePath).absolutePath());
    // An explicit --model wins over the store's active model version.
    window.openStore(storePath, !parser.isSet(model));
    window.show();

    QString folder = parser.positionalArguments().value(0);
    const bool lidcDemo = parser.isSet(demo) && folder == QLatin1String("lidc");
    if (lidcDemo) {
        // The real LIDC-IDRI-0004 nodule with its four readers (resources/demo-lidc):
        // the readers are imported as experts once; later starts reopen that lesion.
        const QString root = lidcDemoFolder();
        if (root.isEmpty()) {
            std::fprintf(stderr,
                         "flowseg-review: error: the LIDC demo study (share/flowseg/demo-lidc) is "
                         "not installed\n");
            return 1;
        }
        folder = QDir(root).filePath(QStringLiteral("ct"));
        const auto sampleLesion = [&window] {
            window.session().setReviewMode(flowseg::review::ReviewMode::Open);
            const auto& b = window.session().box();
            window.sliceView()->focusOn(
                QRectF(b.box.x + b.box.width / 2.0 - 32, b.box.y + b.box.height / 2.0 - 32, 64, 64),
                0.95);
            window.startSampling();
        };
        QObject::connect(
            &window, &MainWindow::seriesLoaded, &window, [&window, root, sampleLesion] {
                const auto& lesions = window.session().lesions();
                if (!lesions.empty()) {
                    window.session().selectLesion(lesions.front().id);
                    sampleLesion();
                    return;
                }
                auto connection = std::make_shared<QMetaObject::Connection>();
                *connection =
                    QObject::connect(&window, &MainWindow::readersImported, &window,
                                     [connection, sampleLesion](const QList<qint64>& ids) {
                                         QObject::disconnect(*connection);
                                         if (!ids.isEmpty()) sampleLesion();
                                     });
                window.importReaders(false,
                                     {QDir(root).filePath(QStringLiteral("readers.seg.dcm"))});
            });
    } else if (parser.isSet(demo)) {
        try {
            folder = prepareDemoStudy(dataRoot);
        } catch (const std::exception& e) {
            std::fprintf(stderr,
                         "flowseg-review: error: cannot write the demo study below '%s': %s\n",
                         qPrintable(dataRoot), e.what());
            return 1;
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
    }

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        const QString state = parser.value(view);
        auto save = [&window, file, state] {
            applyView(window, state);
            QTimer::singleShot(300, &window, [&window, file] {
                const bool ok = window.grab().save(file);
                std::fprintf(ok ? stdout : stderr,
                             ok ? "screenshot %s\n" : "flowseg-review: error: cannot write '%s'\n",
                             qPrintable(file));
                QApplication::exit(ok ? 0 : 1);
            });
        };
        const bool willSample = parser.isSet(demo) && window.hasModel();
        if (state == QLatin1String("finetune")) {
            // A short fine-tune on the store's finished lesions, started once the demo
            // (if any) has sampled, with the Fine-tuning dock in front; shot when it ends.
            if (auto* dock = window.trainingPanel()->parentWidget()) {
                dock->show();
                dock->raise();
            }
            flowseg::review::FineTuneOptions options;
            const int steps = qEnvironmentVariableIntValue("FLOWSEG_SCREENSHOT_STEPS");
            options.steps = steps > 0 ? steps : 90;
            options.evaluateEvery = options.steps / 3;
            options.validationSamples = 4;
            const auto start = [&window, options] { window.startFineTune(options); };
            QObject::connect(&window, &MainWindow::fineTuneFinished, &window, save);
            if (willSample)
                QObject::connect(&window, &MainWindow::samplingFinished, &window, start);
            else
                QTimer::singleShot(200, &window, start);
        } else {
            QObject::connect(&window, &MainWindow::samplingFinished, &window, save);
            QObject::connect(&window, &MainWindow::loadFailed, &window, save);
            if (!willSample) QObject::connect(&window, &MainWindow::seriesLoaded, &window, save);
            if (folder.isEmpty()) QTimer::singleShot(500, &window, save);
        }
    }
    if (!folder.isEmpty()) window.openFolder(folder);
    return QApplication::exec();
}
