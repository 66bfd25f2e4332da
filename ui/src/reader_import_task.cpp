#include "flowseg/ui/reader_import_task.h"

#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/dicom/lidc_xml.h"

namespace flowseg::ui {

ReaderImportTask::ReaderImportTask(Source source, std::vector<std::string> files,
                                   std::shared_ptr<const dicom::Series> series,
                                   std::int64_t seriesId, std::string storePath,
                                   std::optional<std::int64_t> lesion)
    : Task(source == Source::LidcXml
               ? tr("Importing the LIDC readers of %1").arg(QString::fromStdString(files.at(0)))
               : tr("Importing %n DICOM SEG file(s)", nullptr, static_cast<int>(files.size()))),
      m_source(source),
      m_files(std::move(files)),
      m_series(std::move(series)),
      m_seriesId(seriesId),
      m_storePath(std::move(storePath)),
      m_lesion(lesion) {}

void ReaderImportTask::run() {
    if (!m_series)
        throw std::runtime_error("no series is open: open the series the readers outlined first");
    if (m_storePath.empty() || m_seriesId == 0)
        throw std::runtime_error(
            "the series is not in an annotation store: open a store first (File > Open annotation "
            "store)");
    setProgress(0.1, tr("reading the readers' outlines"));
    std::vector<std::vector<review::ReaderOutlines>> lesions;
    if (m_source == Source::LidcXml) {
        const auto document = dicom::parseLidcXml(m_files.at(0));
        if (!document.seriesUid.empty() && document.seriesUid != m_series->seriesUid)
            throw std::runtime_error("'" + m_files.at(0) + "' outlines series " +
                                     document.seriesUid + ", not the open series " +
                                     m_series->seriesUid);
        lesions = review::lidcLesions(document, *m_series);
    } else {
        lesions.push_back(review::segReaders(m_files, *m_series));
    }
    if (isCanceled()) return;
    setProgress(0.6, tr("writing them to the store"));
    auto database = db::Database::open(m_storePath, db::OpenMode::Existing);
    for (const auto& readers : lesions)
        m_imported.push_back(review::importReaders(database, m_seriesId, readers, m_lesion));
    setProgress(1.0, tr("imported"));
}

}  // namespace flowseg::ui
