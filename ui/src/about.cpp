#include "flowseg/ui/about.h"

#include <QtGlobal>

#include "flowseg/db/database.h"
#include "flowseg/dicom/pixel_decoder.h"
#include "flowseg/engine/model.h"
#include "flowseg/engine/runtime.h"
#include "flowseg/imaging/image_io.h"
#include "flowseg/version.h"

// Q_INIT_RESOURCE declares a function in the namespace it is used in: keep it global.
static void initFlowsegResources() { Q_INIT_RESOURCE(flowseg); }

namespace flowseg::ui {

void initResources() {
    static const bool once = (initFlowsegResources(), true);
    (void)once;
}

QStringList versionLines(const engine::Model* model) {
    QStringList lines{
        QStringLiteral("FlowSeg Review %1").arg(QStringLiteral(FLOWSEG_VERSION)),
        QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion())),
        QStringLiteral("LibTorch %1 (%2)")
            .arg(QString::fromStdString(engine::torchVersion()),
                 engine::cudaAvailable() ? QStringLiteral("CUDA usable")
                                         : QStringLiteral("CUDA not usable: CPU only")),
        QStringLiteral("DCMTK %1").arg(QString::fromStdString(dicom::dcmtkVersion())),
        QStringLiteral("OpenCV %1").arg(QString::fromStdString(imaging::opencvVersion())),
        QStringLiteral("SQLite %1").arg(QString::fromStdString(db::sqliteVersion())),
    };
    if (model)
        lines << QStringLiteral("Model %1 (checksum %2, %3 parameters, on %4)")
                     .arg(QString::fromStdString(model->source()),
                          QString::fromStdString(model->checksum()))
                     .arg(model->parameterCount())
                     .arg(QString::fromStdString(model->device()));
    else
        lines << QStringLiteral(
            "Model: none loaded (File > Load model, or install the shipped one)");
    return lines;
}

}  // namespace flowseg::ui
