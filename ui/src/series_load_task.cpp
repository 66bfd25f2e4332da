#include "flowseg/ui/series_load_task.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <stdexcept>

#include "flowseg/db/database.h"
#include "flowseg/dicom/seg.h"
#include "flowseg/review/study_import.h"

namespace flowseg::ui {

SeriesLoadTask::SeriesLoadTask(QString description, QObject* parent)
    : Task(std::move(description), parent) {}

SeriesLoadTask* SeriesLoadTask::forFolder(const std::string& folder, const std::string& storePath,
                                          const std::string& seriesUid, QObject* parent) {
    auto* task = new SeriesLoadTask(tr("Loading %1").arg(QString::fromStdString(folder)), parent);
    task->m_folder = folder;
    task->m_storePath = storePath;
    task->m_seriesUid = seriesUid;
    return task;
}

SeriesLoadTask* SeriesLoadTask::forFiles(std::vector<std::string> files, QObject* parent) {
    auto* task = new SeriesLoadTask(tr("Loading %1 images").arg(files.size()), parent);
    task->m_files = std::move(files);
    return task;
}

SeriesLoadTask* SeriesLoadTask::forStoredSeries(const std::string& storeLocation,
                                                std::int64_t seriesId,
                                                review::SeriesSources sources, QObject* parent) {
    auto* task = new SeriesLoadTask(tr("Loading stored series %1").arg(seriesId), parent);
    task->m_storedSeries = seriesId;
    task->m_storePath = storeLocation;
    task->m_sources = std::move(sources);
    return task;
}

QImage lungThumbnail(const dicom::Series& slice, int size) {
    if (slice.width <= 0 || slice.height <= 0 || slice.values.empty()) return {};
    QImage image(slice.width, slice.height, QImage::Format_Grayscale8);
    const double low = -600 - 750, width = 1500;  // the lung window
    for (int y = 0; y < slice.height; ++y) {
        auto* row = image.scanLine(y);
        for (int x = 0; x < slice.width; ++x) {
            const double v = (slice.at(0, y, x) - low) / width * 255.0;
            row[x] = static_cast<uchar>(std::clamp(v, 0.0, 255.0));
        }
    }
    return image.scaled(size, size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

namespace {

/// "no loadable DICOM image series in WHERE (N files skipped; first: …)".
std::runtime_error noSeries(const std::string& where,
                            const std::vector<dicom::SkippedFile>& skipped) {
    std::string reason = "no loadable DICOM image series in " + where;
    if (!skipped.empty())
        reason += " (" + std::to_string(skipped.size()) +
                  " files skipped; first: " + skipped.front().path + ": " + skipped.front().reason +
                  ")";
    return std::runtime_error(reason);
}

}  // namespace

/// Decodes `files` into m_series (the largest stack of them), on every core.
void SeriesLoadTask::decode(const std::vector<std::string>& files, double from, double to) {
    dicom::LoadOptions options;
    options.progress = [&](int done, int total) {
        setProgress(from + (to - from) * done / std::max(1, total),
                    tr("decoding slice %1 of %2").arg(done).arg(total));
    };
    options.cancelled = [this] { return isCanceled(); };
    auto load = dicom::loadFiles(files, options);
    if (load.series.empty())
        throw noSeries(m_folder.empty() ? "the stored series' files" : "'" + m_folder + "'",
                       load.skipped);
    auto best = std::max_element(load.series.begin(), load.series.end(),
                                 [](const auto& a, const auto& b) { return a.depth < b.depth; });
    for (const auto& skipped : load.skipped)
        m_warnings.push_back("skipped " + skipped.path + ": " + skipped.reason);
    for (const auto& w : best->warnings) m_warnings.push_back(w);
    m_series = std::make_shared<const dicom::Series>(std::move(*best));
}

void SeriesLoadTask::runFolder() {
    setProgress(0.0, tr("reading the headers"));
    const auto scan = dicom::scanFolder(m_folder);
    if (isCanceled()) return;
    const auto entries = dicom::imageSeries(scan);
    if (entries.empty()) throw noSeries("'" + m_folder + "'", scan.skipped);
    const dicom::SeriesEntry* chosen = dicom::readingSeries(entries);
    if (!m_seriesUid.empty()) {
        const auto it = std::find_if(entries.begin(), entries.end(),
                                     [&](const auto& e) { return e.seriesUid == m_seriesUid; });
        if (it == entries.end())
            throw std::runtime_error("'" + m_folder + "' holds no image series " + m_seriesUid);
        chosen = &*it;
    }
    // The first image: the chosen series' middle slice, before the rest.
    setProgress(0.05, tr("decoding the first image"));
    try {
        m_preview = std::make_shared<const dicom::Series>(dicom::loadMiddleSlice(*chosen));
        m_previewSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        Q_EMIT previewReady();
    } catch (const dicom::DicomError&) {
        // The full decode below names the file and why.
    }
    // The study's series for the picker, each with its middle slice.
    for (const auto& entry : entries) {
        SeriesChoice choice{entry, {}};
        try {
            choice.thumbnail = &entry == chosen && m_preview
                                   ? lungThumbnail(*m_preview, 96)
                                   : lungThumbnail(dicom::loadMiddleSlice(entry), 96);
        } catch (const dicom::DicomError&) {
        }
        m_choices.push_back(std::move(choice));
        if (isCanceled()) return;
    }
    try {
        decode(chosen->files, 0.1, 0.9);
    } catch (const dicom::LoadCancelled&) {
        return;  // isCanceled() is true: the manager reports Canceled
    }
    for (const auto& skipped : scan.skipped)
        m_warnings.push_back("skipped " + skipped.path + ": " + skipped.reason);
    for (const auto& h : scan.instances) {
        if (h.modality != "SEG" || h.seriesDescription == "FlowSeg model samples" ||
            h.seriesDescription == "FlowSeg probability map")
            continue;
        try {  // only a SEG of the series on screen
            if (dicom::readSeg(h.path).referencedSeriesUid == m_series->seriesUid)
                m_segFiles.push_back(h.path);
        } catch (const dicom::DicomError& e) {
            m_warnings.push_back("skipped the SEG " + h.path + ": " + e.what());
        }
    }
    if (!m_storePath.empty()) {
        setProgress(0.92, tr("registering the study"));
        auto database = db::Database::open(m_storePath, db::OpenMode::Create);
        // The image series (a SEG or report beside them is not a series to open).
        dicom::FolderScan images;
        for (const auto& h : scan.instances)
            if (h.hasPixels) images.instances.push_back(h);
        const auto summary = review::registerScan(database, images);
        std::vector<std::string> order;  // the scan's series, in its order
        for (const auto& h : images.instances)
            if (order.empty() || order.back() != h.seriesUid) order.push_back(h.seriesUid);
        const auto at = std::find(order.begin(), order.end(), chosen->seriesUid) - order.begin();
        if (at < static_cast<std::ptrdiff_t>(summary.seriesIds.size()))
            m_seriesId = summary.seriesIds[static_cast<size_t>(at)];
    }
}

void SeriesLoadTask::run() {
    m_start = std::chrono::steady_clock::now();
    std::error_code ec;
    if (!m_folder.empty() && std::filesystem::is_directory(m_folder, ec)) {
        runFolder();
    } else {
        if (m_storedSeries != 0) {
            auto sources = m_sources;
            sources.progress = [this](const std::string& where) {
                setProgress(0.0,
                            tr("looking for the series in %1").arg(QString::fromStdString(where)));
            };
            auto database = db::Database::open(m_storePath, db::OpenMode::ReadOnly);
            auto located = review::locateSeries(database, m_storedSeries, sources);
            if (isCanceled()) return;
            if (located.from != "its stored paths")
                m_warnings.push_back("the stored series was found in " + located.from);
            m_files = std::move(located.files);
        }
        setProgress(0.0, tr("reading DICOM files"));
        try {
            decode(m_folder.empty() ? m_files : std::vector<std::string>{m_folder}, 0.0, 0.9);
        } catch (const dicom::LoadCancelled&) {
            return;
        }
        if (!m_storePath.empty() && !m_folder.empty() && m_series && m_storedSeries == 0) {
            auto database = db::Database::open(m_storePath, db::OpenMode::Create);
            m_seriesId = review::registerLoadedSeries(database, {*m_series}).seriesIds.front();
        }
    }
    m_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    setProgress(1.0, tr("loaded"));
}

}  // namespace flowseg::ui
