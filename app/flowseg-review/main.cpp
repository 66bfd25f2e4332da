// flowseg-review: the review window. `--demo` opens the built-in demo study with
// the shipped model and samples its part-solid nodule; `--screenshot FILE` saves
// the window once that work is done and exits (visual checks, docs). What the
// demo and the screenshot do to the window is in demo_driver.cpp.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QStandardPaths>

#include <cstdio>
#include <string_view>

#include <spdlog/spdlog.h>

#include "flowseg/db/database.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/model_location.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/ui/about.h"
#include "flowseg/ui/log_panel.h"
#include "flowseg/ui/main_window.h"
#include "flowseg/version.h"

#include "demo_driver.h"
namespace {

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
        QStringLiteral("State for --screenshot: heatmap, samples, probability, trajectory, review, "
                       "nodule-above, nodule-below (the slice above or below the key slice), help, "
                       "finetune (fine-tunes on the store's finished lesions, shot when it ends)."),
        QStringLiteral("STATE"), QStringLiteral("heatmap"));
    const QCommandLineOption model(
        QStringLiteral("model"),
        QStringLiteral("Model checkpoint (.fsm); default: the shipped one."),
        QStringLiteral("FILE"));
    const QCommandLineOption store(
        QStringLiteral("store"),
        QStringLiteral("Annotation store: a file (created when missing), or a department server's "
                       "postgresql://LOGIN@HOST/DATABASE (password from PGPASSWORD or ~/.pgpass)."),
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

    flowseg::ui::MainWindow window;
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
    if (!flowseg::db::Database::isServerLocation(storePath.toStdString()))
        QDir().mkpath(QFileInfo(storePath).absolutePath());
    // An explicit --model wins over the store's active model version.
    window.openStore(storePath, !parser.isSet(model));
    window.show();

    QString folder = parser.positionalArguments().value(0);
    const bool lidcDemo = parser.isSet(demo) && folder == QLatin1String("lidc");
    if (parser.isSet(demo)) {
        QString error;
        const bool ready =
            lidcDemo ? flowseg::review_app::driveLidcDemo(window, &folder, &error)
                     : flowseg::review_app::driveSyntheticDemo(window, dataRoot, &folder, &error);
        if (!ready) {
            std::fprintf(stderr, "flowseg-review: error: %s\n", qPrintable(error));
            return 1;
        }
    }
    if (parser.isSet(screenshot)) {
        flowseg::review_app::ScreenshotPlan plan;
        plan.file = parser.value(screenshot);
        plan.view = parser.value(view);
        plan.willSample = parser.isSet(demo) && window.hasModel();
        plan.willLoad = !folder.isEmpty();
        flowseg::review_app::scheduleScreenshot(window, plan);
    }
    if (!folder.isEmpty()) window.openFolder(folder);
    return QApplication::exec();
}
