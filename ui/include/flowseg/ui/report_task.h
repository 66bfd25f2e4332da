#pragma once
// The uncertainty report (PDF) and the exports of the open study, off the GUI
// thread on the task's own store connection (report_writer.h, review/exports.h).

#include <memory>
#include <string>

#include "flowseg/dicom/series.h"
#include "flowseg/ui/task.h"

namespace flowseg::ui {

class ReportTask : public Task {
    Q_OBJECT
public:
    /// Writes the PDF to `pdfPath` when it is not empty, and the exports into
    /// `exportFolder` when that is not empty.
    ReportTask(std::string storePath, std::shared_ptr<const dicom::Series> series,
               std::string pdfPath, std::string exportFolder, bool deidentify);
    [[nodiscard]] int lesions() const { return m_lesions; }
    [[nodiscard]] int exportedFiles() const { return m_exported; }

protected:
    void run() override;

private:
    std::string m_storePath;
    std::shared_ptr<const dicom::Series> m_series;
    std::string m_pdf;
    std::string m_exports;
    bool m_deidentify;
    int m_lesions = 0;
    int m_exported = 0;
};

}  // namespace flowseg::ui
