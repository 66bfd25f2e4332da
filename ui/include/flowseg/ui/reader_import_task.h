#pragma once
// Importing readers' outlines (LIDC XML or DICOM SEG) into the store for the open
// series, off the GUI thread on its own connection (review/reader_import.h).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flowseg/dicom/series.h"
#include "flowseg/review/reader_import.h"
#include "flowseg/ui/task.h"

namespace flowseg::ui {

class ReaderImportTask : public Task {
    Q_OBJECT
public:
    enum class Source { LidcXml, Seg };
    /// `files`: one LIDC XML, or SEG files. `lesion`: add the readers to it (SEG only).
    ReaderImportTask(Source source, std::vector<std::string> files,
                     std::shared_ptr<const dicom::Series> series, std::int64_t seriesId,
                     std::string storePath, std::optional<std::int64_t> lesion = std::nullopt);
    /// Valid after finished(Succeeded).
    [[nodiscard]] const std::vector<review::ImportedLesion>& imported() const { return m_imported; }

protected:
    void run() override;

private:
    Source m_source;
    std::vector<std::string> m_files;
    std::shared_ptr<const dicom::Series> m_series;
    std::int64_t m_seriesId;
    std::string m_storePath;
    std::optional<std::int64_t> m_lesion;
    std::vector<review::ImportedLesion> m_imported;
};

}  // namespace flowseg::ui
