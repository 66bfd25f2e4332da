#pragma once
// One PACS operation off the GUI thread: verify a node (C-ECHO), query studies
// or a study's series (C-FIND), retrieve a study's image series into the local
// cache (C-MOVE to our own storage SCP, or C-GET; per-image progress and
// cancel; the cache never keeps half a series), or send the open study's
// results back (its lesions' SEG and the report as Encapsulated PDF).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flowseg/dicom/pacs.h"
#include "flowseg/dicom/series.h"
#include "flowseg/ui/task.h"

namespace flowseg::ui {

/// A configured PACS node and how we retrieve from it.
struct PacsNodeSettings {
    dicom::PacsNode node;
    int listenPort = 11113;  ///< our storage SCP's port for C-MOVE
    bool useMove = true;     ///< C-MOVE (most hospital PACS); else C-GET
};

class PacsTask : public Task {
    Q_OBJECT
public:
    enum class Action { Echo, FindStudies, FindSeries, Retrieve, StoreResults };

    static PacsTask* echo(const PacsNodeSettings& node);
    static PacsTask* findStudies(const PacsNodeSettings& node, const dicom::StudyQuery& query);
    static PacsTask* findSeries(const PacsNodeSettings& node, const std::string& studyUid);
    /// Each image series and SEG of `series` (reports and other documents are
    /// left on the PACS) into the cache at `cacheRoot`; a series already cached
    /// is not fetched again; the least recently used series leave the cache
    /// beyond `cacheLimitBytes` (the window's setting "pacs/cacheLimitGiB", 20 by default).
    static PacsTask* retrieve(const PacsNodeSettings& node, const std::string& studyUid,
                              const std::vector<dicom::SeriesMatch>& series,
                              const std::string& cacheRoot, std::uint64_t cacheLimitBytes);
    /// The open study's results from the store, sent by C-STORE.
    static PacsTask* storeResults(const PacsNodeSettings& node, const std::string& storePath,
                                  std::shared_ptr<const dicom::Series> series);

    [[nodiscard]] Action action() const { return m_action; }
    [[nodiscard]] const std::vector<dicom::StudyMatch>& studies() const { return m_studies; }
    [[nodiscard]] const std::vector<dicom::SeriesMatch>& series() const { return m_series; }
    /// Retrieve: the study's folder in the cache (its series below it).
    [[nodiscard]] const std::string& folder() const { return m_folder; }
    /// Retrieve: images received; StoreResults: objects sent.
    [[nodiscard]] int count() const { return m_count; }

protected:
    void run() override;

private:
    PacsTask(Action action, const PacsNodeSettings& node, QString description);
    void runRetrieve();
    void runStoreResults();

    Action m_action;
    PacsNodeSettings m_node;
    dicom::StudyQuery m_query;
    std::string m_studyUid;
    std::string m_cacheRoot;
    std::uint64_t m_cacheLimit = 0;
    std::string m_storePath;
    std::shared_ptr<const dicom::Series> m_open;
    std::vector<dicom::StudyMatch> m_studies;
    std::vector<dicom::SeriesMatch> m_series;
    std::string m_folder;
    int m_count = 0;
};

}  // namespace flowseg::ui
