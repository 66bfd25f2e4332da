#pragma once
// The GUI tests' start: QSettings in test mode and cleared, torch on every core,
// the synthetic demo chest CT written as DICOM into DIR/demo-ct, and a window
// opened on a folder as a user opens one.

#include <QSettings>
#include <QSignalSpy>
#include <QSize>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>
#include <memory>

#include "flowseg/dicom/series_writer.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/ui/main_window.h"

namespace flowseg::test {

/// Returns the demo study's folder.
inline QString prepareDemoStudy(const QTemporaryDir& dir) {
    QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
    QSettings().clear();
    engine::configureThreads(0);
    const QString folder = dir.filePath("demo-ct");
    dicom::writeSeries(folder.toStdString(), dicom::demoChestCt());
    return folder;
}

/// A shown window of `size` sampling with `model`, on the store at `store`, with
/// `folder` loaded; nullptr when the store does not open or the folder does not
/// load within a minute.
inline std::unique_ptr<ui::MainWindow> openWindowOn(const QString& store, const QString& folder,
                                                    std::shared_ptr<const engine::Model> model,
                                                    QSize size) {
    auto window = std::make_unique<ui::MainWindow>();
    window->resize(size);
    window->setModel(std::move(model));
    if (!window->openStore(store)) return nullptr;
    window->show();
    QSignalSpy loaded(window.get(), &ui::MainWindow::seriesLoaded);
    window->openFolder(folder);
    if (!loaded.wait(60000)) return nullptr;
    return window;
}

}  // namespace flowseg::test
