#pragma once
// Loading a DICOM folder or a stored series off the GUI thread. A folder's
// headers are read first (no pixels); only the series to read is decoded (the
// thinnest reconstruction that is not a scout, or the one asked for), on every
// core, with progress and cancel. Its middle slice is decoded first and offered
// as a preview, and each series of the study gets a thumbnail for the picker.
// The study's series are registered in the store from the headers already read.

#include <QImage>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "flowseg/dicom/series.h"
#include "flowseg/review/series_locator.h"
#include "flowseg/ui/task.h"

namespace flowseg::ui {

/// A series of the opened study, for the series picker.
struct SeriesChoice {
    dicom::SeriesEntry entry;
    QImage thumbnail;  ///< its middle slice in the lung window (null when it did not decode)
};

class SeriesLoadTask : public Task {
    Q_OBJECT
public:
    /// Loads one series below `folder` (`seriesUid`, or the reading series when
    /// empty); registers the folder's series in `storePath` when given.
    static SeriesLoadTask* forFolder(const std::string& folder, const std::string& storePath,
                                     const std::string& seriesUid = {}, QObject* parent = nullptr);
    /// Loads the given files (a stored series).
    static SeriesLoadTask* forFiles(std::vector<std::string> files, QObject* parent = nullptr);
    /// Loads stored series `seriesId` of the store at `storeLocation` from where
    /// this workstation has it (review::locateSeries: the stored paths, the PACS
    /// cache, the searched folders, the PACS).
    static SeriesLoadTask* forStoredSeries(const std::string& storeLocation, std::int64_t seriesId,
                                           review::SeriesSources sources,
                                           QObject* parent = nullptr);

    /// The loaded series (valid after finished(Succeeded)).
    [[nodiscard]] std::shared_ptr<const dicom::Series> series() const { return m_series; }
    /// Store id of the loaded series when it was registered (0 otherwise).
    [[nodiscard]] std::int64_t seriesId() const { return m_seriesId; }
    [[nodiscard]] const std::vector<std::string>& warnings() const { return m_warnings; }
    /// The study's image series (a folder load), after finished.
    [[nodiscard]] const std::vector<SeriesChoice>& choices() const { return m_choices; }
    [[nodiscard]] const std::string& folder() const { return m_folder; }
    /// The middle slice of the series being decoded, once previewReady was emitted.
    [[nodiscard]] std::shared_ptr<const dicom::Series> preview() const { return m_preview; }
    /// DICOM SEG files beside the series (a folder load) that may hold readers'
    /// outlines of it: not the samples or probability this app wrote.
    [[nodiscard]] const std::vector<std::string>& segFiles() const { return m_segFiles; }
    /// Seconds from the start of run() to the first image, and to the whole series.
    [[nodiscard]] double previewSeconds() const { return m_previewSeconds; }
    [[nodiscard]] double seconds() const { return m_seconds; }

Q_SIGNALS:
    /// The first image is decoded (preview()); queued to the GUI thread.
    void previewReady();

protected:
    void run() override;

private:
    SeriesLoadTask(QString description, QObject* parent);
    void runFolder();
    void decode(const std::vector<std::string>& files, double from, double to);
    std::string m_folder;
    std::string m_seriesUid;
    std::vector<std::string> m_files;
    std::string m_storePath;
    std::int64_t m_storedSeries = 0;
    review::SeriesSources m_sources;
    std::shared_ptr<const dicom::Series> m_series;
    std::shared_ptr<const dicom::Series> m_preview;
    std::vector<SeriesChoice> m_choices;
    std::vector<std::string> m_segFiles;
    std::int64_t m_seriesId = 0;
    std::vector<std::string> m_warnings;
    std::chrono::steady_clock::time_point m_start;
    double m_previewSeconds = 0;
    double m_seconds = 0;
};

/// A slice in the lung window as an 8-bit image at most `size` pixels wide.
QImage lungThumbnail(const dicom::Series& slice, int size);

}  // namespace flowseg::ui
