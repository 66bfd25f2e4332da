#include "flowseg/ui/report_task.h"

#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/render/report_writer.h"
#include "flowseg/review/exports.h"
#include "flowseg/review/report_data.h"

namespace flowseg::ui {

ReportTask::ReportTask(std::string storePath, std::shared_ptr<const dicom::Series> series,
                       std::string pdfPath, std::string exportFolder, bool deidentify)
    : Task(pdfPath.empty()
               ? tr("Exporting the study's lesions to %1").arg(QString::fromStdString(exportFolder))
               : tr("Writing the uncertainty report %1").arg(QString::fromStdString(pdfPath))),
      m_storePath(std::move(storePath)),
      m_series(std::move(series)),
      m_pdf(std::move(pdfPath)),
      m_exports(std::move(exportFolder)),
      m_deidentify(deidentify) {}

void ReportTask::run() {
    if (!m_series) throw std::runtime_error("no series is open: open the study first");
    if (m_storePath.empty())
        throw std::runtime_error("no annotation store is open: the report is made from the store");
    setProgress(0.05, tr("reading the store and re-running the lesions' runs"));
    auto database = db::Database::open(m_storePath, db::OpenMode::ReadOnly);
    review::ReportOptions options;
    options.deidentify = m_deidentify;
    const auto report = review::gatherStudyReport(database, m_series->studyUid, *m_series, options);
    m_lesions = static_cast<int>(report.lesions.size());
    if (isCanceled()) return;
    if (!m_pdf.empty())
        render::writeReportPdf(report, *m_series, m_pdf, [this](double f) {
            setProgress(0.3 + 0.5 * f, tr("laying out the pages"));
        });
    if (isCanceled()) return;
    if (!m_exports.empty()) {
        setProgress(0.85, tr("exporting PNG, NIfTI, DICOM SEG, CSV and JSON"));
        m_exported = static_cast<int>(review::exportStudy(report, *m_series, m_exports).size());
        if (!m_pdf.empty()) {
            review::exportReportDocument(report, *m_series, m_pdf, m_exports);
            ++m_exported;
        }
    }
    setProgress(1.0, tr("done"));
}

}  // namespace flowseg::ui
