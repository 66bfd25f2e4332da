#pragma once
// What `flowseg-review --version` and Help > About say: the app's version and
// those of Qt, LibTorch (and whether CUDA is usable), DCMTK, OpenCV, SQLite,
// and the active model.

#include <QStringList>

namespace flowseg::engine {
class Model;
}

namespace flowseg::ui {

/// Registers the window's compiled-in resources (icons; resources/flowseg.qrc),
/// which live in this static library. Safe to call more than once.
void initResources();

/// One line per component; `model` may be null ("no model loaded").
[[nodiscard]] QStringList versionLines(const engine::Model* model);

}  // namespace flowseg::ui
