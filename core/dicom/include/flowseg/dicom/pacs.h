#pragma once
// A PACS client (DICOM networking via DCMTK's DcmSCU): verify, query studies and
// series, retrieve a series (C-GET, or C-MOVE to our own storage SCP), send files
// (C-STORE). Every network wait is
// bounded by a timeout; long transfers report progress and can be cancelled.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowseg::dicom {

class PacsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PacsNode {
    std::string host = "127.0.0.1";
    int port = 4242;
    std::string calledAeTitle = "ORTHANC";
    std::string callingAeTitle = "FLOWSEG";
    int timeoutSeconds = 10;  ///< connection, association and each DIMSE message
};

struct StudyMatch {
    std::string studyUid, patientId, patientName, studyDate, description, modalities;
    std::string accessionNumber;
};

/// A study-level C-FIND's keys; empty ones match everything. Wildcards (* and ?)
/// in names and IDs; a date is YYYYMMDD or a range YYYYMMDD-YYYYMMDD (either end open).
struct StudyQuery {
    std::string patientId, patientName, studyDate, modality, accessionNumber;
};

struct SeriesMatch {
    std::string seriesUid, modality, description;
    int instances = 0;
};

struct TransferProgress {
    int done = 0;
    int total = 0;  ///< 0 while unknown
};

class PacsClient {
public:
    explicit PacsClient(PacsNode node);

    /// C-ECHO. Throws PacsError("... does not answer ...") when unreachable.
    void echo() const;
    /// Study-level C-FIND; empty filters match everything ("*" wildcards allowed).
    [[nodiscard]] std::vector<StudyMatch> findStudies(const StudyQuery& query) const;
    [[nodiscard]] std::vector<StudyMatch> findStudies(const std::string& patientId = "",
                                                      const std::string& patientName = "") const {
        return findStudies(StudyQuery{patientId, patientName, "", "", ""});
    }
    /// Series-level C-FIND within one study.
    [[nodiscard]] std::vector<SeriesMatch> findSeries(const std::string& studyUid) const;
    /// C-GET of one series into `folder`; returns the paths written. `cancelled`
    /// is polled after every received image.
    std::vector<std::string> retrieveSeries(
        const std::string& studyUid, const std::string& seriesUid, const std::string& folder,
        const std::function<void(const TransferProgress&)>& progress = {},
        const std::function<bool()>& cancelled = {}) const;
    /// C-MOVE of one series to this application: a storage SCP of our own listens
    /// on `listenPort` as callingAeTitle, and the PACS, which must know that AE
    /// title with this host and port as a move destination, sends the images
    /// there. Many hospital PACS allow only this. Progress, cancel and the
    /// result as for retrieveSeries.
    std::vector<std::string> moveSeries(
        const std::string& studyUid, const std::string& seriesUid, const std::string& folder,
        int listenPort, const std::function<void(const TransferProgress&)>& progress = {},
        const std::function<bool()>& cancelled = {}) const;
    /// moveSeries to `moveToPort` when one is given, else retrieveSeries.
    std::vector<std::string> retrieve(
        const std::string& studyUid, const std::string& seriesUid, const std::string& folder,
        std::optional<int> moveToPort,
        const std::function<void(const TransferProgress&)>& progress = {},
        const std::function<bool()>& cancelled = {}) const {
        return moveToPort
                   ? moveSeries(studyUid, seriesUid, folder, *moveToPort, progress, cancelled)
                   : retrieveSeries(studyUid, seriesUid, folder, progress, cancelled);
    }
    /// C-STORE of the given files.
    void store(const std::vector<std::string>& files,
               const std::function<void(const TransferProgress&)>& progress = {}) const;

    [[nodiscard]] const PacsNode& node() const { return m_node; }

private:
    PacsNode m_node;
};

}  // namespace flowseg::dicom
