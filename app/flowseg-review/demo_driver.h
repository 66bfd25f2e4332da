#pragma once
// What `flowseg-review --demo` and `--screenshot` do to the window, apart from
// the program's start: the demo studies (synthetic, and the real LIDC-IDRI-0004
// nodule with its four readers), the lesion each samples, and the screenshot
// taken once the work is done. Drives the window only through its public
// commands and signals, as a user would.

#include <QString>

namespace flowseg::ui {
class MainWindow;
}

namespace flowseg::review_app {

/// Opens-to-be: after the window loads the study in `*folder`, its lesion is
/// selected (or marked) and sampled. Returns false, with the reason in `*error`,
/// when the study cannot be prepared.
bool driveSyntheticDemo(ui::MainWindow& window, const QString& dataRoot, QString* folder,
                        QString* error);
/// The LIDC demo installed beside the program (share/flowseg/demo-lidc): its readers
/// are imported as experts once, later starts reopen that lesion; then it samples.
bool driveLidcDemo(ui::MainWindow& window, QString* folder, QString* error);

struct ScreenshotPlan {
    QString file;
    /// heatmap, samples, probability, trajectory, review, nodule-above, nodule-below,
    /// help, finetune
    QString view = QStringLiteral("heatmap");
    bool willSample = false;  ///< a demo with a model: shot once sampling ends
    bool willLoad = true;     ///< a folder is opened: shot once it has loaded
};
/// Saves the window to `plan.file` once its work is done and exits the
/// application (0, or 1 when the file cannot be written).
void scheduleScreenshot(ui::MainWindow& window, const ScreenshotPlan& plan);

}  // namespace flowseg::review_app
