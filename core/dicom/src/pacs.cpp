// The PACS client: verify, query, C-GET and C-STORE (C-MOVE: pacs_move.cpp).
#include "flowseg/dicom/pacs.h"

#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmnet/scu.h>
#include <algorithm>
#include <filesystem>
#include <memory>

#include "flowseg/dicom/pixel_decoder.h"
#include "pacs_common.h"

namespace flowseg::dicom {

namespace fs = std::filesystem;

namespace detail {

const char* const kStorageClasses[kStorageClassCount] = {
    UID_CTImageStorage,
    UID_EnhancedCTImageStorage,
    UID_MRImageStorage,
    UID_EnhancedMRImageStorage,
    UID_SecondaryCaptureImageStorage,
    UID_SegmentationStorage,
    UID_EncapsulatedPDFStorage,
    UID_PositronEmissionTomographyImageStorage,
    UID_ComputedRadiographyImageStorage,
    UID_DigitalXRayImageStorageForPresentation};

OFList<OFString> transferSyntaxes() {
    OFList<OFString> xfers;
    xfers.push_back(UID_LittleEndianExplicitTransferSyntax);
    xfers.push_back(UID_LittleEndianImplicitTransferSyntax);
    return xfers;
}

OFList<OFString> storageTransferSyntaxes() {
    auto xfers = transferSyntaxes();
    for (const char* uid : {UID_JPEGProcess14SV1TransferSyntax, UID_JPEGLSLosslessTransferSyntax,
                            UID_RLELosslessTransferSyntax, UID_JPEG2000LosslessOnlyTransferSyntax,
                            UID_DeflatedExplicitVRLittleEndianTransferSyntax})
        xfers.push_back(uid);
    return xfers;
}

std::string where(const PacsNode& n) {
    return "PACS " + n.calledAeTitle + " at " + n.host + ":" + std::to_string(n.port);
}

void configure(DcmSCU& scu, const PacsNode& n) {
    registerCodecs();
    scu.setAETitle(n.callingAeTitle.c_str());
    scu.setPeerHostName(n.host.c_str());
    scu.setPeerPort(static_cast<Uint16>(n.port));
    scu.setPeerAETitle(n.calledAeTitle.c_str());
    scu.setConnectionTimeout(n.timeoutSeconds);
    scu.setACSETimeout(static_cast<Uint32>(n.timeoutSeconds));
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setDIMSETimeout(static_cast<Uint32>(n.timeoutSeconds));
}

void connect(DcmSCU& scu, const PacsNode& n) {
    OFCondition status = scu.initNetwork();
    if (status.bad())
        throw PacsError("cannot start DICOM networking: " + std::string(status.text()));
    status = scu.negotiateAssociation();
    if (status.bad())
        throw PacsError(where(n) + " does not answer or refused the association (" + status.text() +
                        "); check host, port and AE titles");
}

T_ASC_PresentationContextID contextFor(DcmSCU& scu, const char* sopClass, const PacsNode& n) {
    const auto id = scu.findPresentationContextID(sopClass, "");
    if (id == 0)
        throw PacsError(where(n) + " does not support " +
                        std::string(dcmFindNameOfUID(sopClass, sopClass)));
    return id;
}

std::string text(DcmItem* item, const DcmTagKey& tag) {
    OFString value;
    if (item) item->findAndGetOFStringArray(tag, value);
    return value.c_str();
}

}  // namespace detail

using namespace detail;

namespace {

class RetrieveScu : public DcmSCU {
public:
    std::function<void(const TransferProgress&)> progress;
    std::function<bool()> cancelled;
    std::vector<std::string> written;
    bool wasCancelled = false;
    int total = 0;

protected:
    OFCondition handleSTORERequest(const T_ASC_PresentationContextID presID, DcmDataset* incoming,
                                   OFBool& continueSession, Uint16& status) override {
        const std::string sop = text(incoming, DCM_SOPInstanceUID);
        const OFCondition result =
            DcmSCU::handleSTORERequest(presID, incoming, continueSession, status);
        if (result.good()) {
            written.push_back(sop);
            if (progress) progress({static_cast<int>(written.size()), total});
            if (cancelled && cancelled()) {
                wasCancelled = true;
                continueSession = OFFalse;
            }
        }
        return result;
    }
    OFCondition handleCGETResponse(const T_ASC_PresentationContextID presID,
                                   RetrieveResponse* response, OFBool& continueSession) override {
        if (response)
            total = response->m_numberOfCompletedSubops + response->m_numberOfRemainingSubops +
                    response->m_numberOfFailedSubops + response->m_numberOfWarningSubops;
        return DcmSCU::handleCGETResponse(presID, response, continueSession);
    }
};

}  // namespace

PacsClient::PacsClient(PacsNode node) : m_node(std::move(node)) {
    if (m_node.port <= 0 || m_node.port > 65535)
        throw PacsError("invalid PACS port " + std::to_string(m_node.port));
    if (m_node.calledAeTitle.empty() || m_node.calledAeTitle.size() > 16 ||
        m_node.callingAeTitle.empty() || m_node.callingAeTitle.size() > 16)
        throw PacsError("AE titles must be 1 to 16 characters");
}

void PacsClient::echo() const {
    DcmSCU scu;
    configure(scu, m_node);
    scu.addPresentationContext(UID_VerificationSOPClass, transferSyntaxes());
    connect(scu, m_node);
    const OFCondition status = scu.sendECHORequest(0);
    scu.releaseAssociation();
    if (status.bad()) throw PacsError(where(m_node) + " did not answer C-ECHO: " + status.text());
}

namespace {

// One C-FIND at the Study Root model; returns the matches as owned datasets.
std::vector<std::unique_ptr<DcmDataset>> studyRootFind(const PacsNode& node, DcmDataset& query,
                                                       const std::string& what) {
    DcmSCU scu;
    configure(scu, node);
    scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, transferSyntaxes());
    connect(scu, node);
    OFList<QRResponse*> responses;
    const OFCondition status = scu.sendFINDRequest(
        contextFor(scu, UID_FINDStudyRootQueryRetrieveInformationModel, node), &query, &responses);
    std::vector<std::unique_ptr<DcmDataset>> matches;
    for (auto* r : responses)
        if (r->m_dataset) matches.push_back(std::make_unique<DcmDataset>(*r->m_dataset));
    freeResponses(responses);
    scu.releaseAssociation();
    if (status.bad()) throw PacsError(what + " to " + where(node) + " failed: " + status.text());
    return matches;
}

}  // namespace

std::vector<StudyMatch> PacsClient::findStudies(const StudyQuery& q) const {
    DcmDataset query;
    query.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
    query.putAndInsertString(DCM_StudyInstanceUID, "");
    query.putAndInsertString(DCM_PatientID, q.patientId.c_str());
    query.putAndInsertString(DCM_PatientName, q.patientName.c_str());
    query.putAndInsertString(DCM_StudyDate, q.studyDate.c_str());
    query.putAndInsertString(DCM_StudyDescription, "");
    query.putAndInsertString(DCM_ModalitiesInStudy, q.modality.c_str());
    query.putAndInsertString(DCM_AccessionNumber, q.accessionNumber.c_str());
    std::vector<StudyMatch> out;
    for (const auto& d : studyRootFind(m_node, query, "study query"))
        out.push_back({text(d.get(), DCM_StudyInstanceUID), text(d.get(), DCM_PatientID),
                       text(d.get(), DCM_PatientName), text(d.get(), DCM_StudyDate),
                       text(d.get(), DCM_StudyDescription), text(d.get(), DCM_ModalitiesInStudy),
                       text(d.get(), DCM_AccessionNumber)});
    return out;
}

std::vector<SeriesMatch> PacsClient::findSeries(const std::string& studyUid) const {
    DcmDataset query;
    query.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    query.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
    query.putAndInsertString(DCM_SeriesInstanceUID, "");
    query.putAndInsertString(DCM_Modality, "");
    query.putAndInsertString(DCM_SeriesDescription, "");
    query.putAndInsertString(DCM_NumberOfSeriesRelatedInstances, "");
    std::vector<SeriesMatch> out;
    for (const auto& d : studyRootFind(m_node, query, "series query")) {
        SeriesMatch m{text(d.get(), DCM_SeriesInstanceUID), text(d.get(), DCM_Modality),
                      text(d.get(), DCM_SeriesDescription), 0};
        const auto count = text(d.get(), DCM_NumberOfSeriesRelatedInstances);
        if (!count.empty()) m.instances = std::atoi(count.c_str());
        out.push_back(m);
    }
    return out;
}

std::vector<std::string> PacsClient::retrieveSeries(
    const std::string& studyUid, const std::string& seriesUid, const std::string& folder,
    const std::function<void(const TransferProgress&)>& progress,
    const std::function<bool()>& cancelled) const {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw PacsError("cannot create '" + folder + "': " + ec.message());
    RetrieveScu scu;
    configure(scu, m_node);
    scu.progress = progress;
    scu.cancelled = cancelled;
    scu.setStorageMode(DCMSCU_STORAGE_DISK);
    scu.setStorageDir(folder.c_str());
    scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, transferSyntaxes());
    for (const char* sop : kStorageClasses)
        scu.addPresentationContext(sop, storageTransferSyntaxes(), ASC_SC_ROLE_SCP);
    connect(scu, m_node);
    DcmDataset query;
    query.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    query.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
    query.putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
    OFList<RetrieveResponse*> responses;
    const auto context = contextFor(scu, UID_GETStudyRootQueryRetrieveInformationModel, m_node);
    const OFCondition status = scu.sendCGETRequest(context, &query, &responses);
    int failed = 0;
    for (auto* r : responses) failed = std::max<int>(failed, r->m_numberOfFailedSubops);
    freeResponses(responses);
    if (scu.wasCancelled) {
        scu.abortAssociation();
        throw PacsError("retrieval from " + where(m_node) + " cancelled after " +
                        std::to_string(scu.written.size()) + " images");
    }
    scu.releaseAssociation();
    if (status.bad())
        throw PacsError("retrieval from " + where(m_node) + " failed: " + status.text());
    if (failed > 0)
        throw PacsError(where(m_node) + " could not send " + std::to_string(failed) + " images");
    std::vector<std::string> paths;
    for (const auto& entry : fs::directory_iterator(folder)) paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
    return paths;
}

void PacsClient::store(const std::vector<std::string>& files,
                       const std::function<void(const TransferProgress&)>& progress) const {
    DcmSCU scu;
    configure(scu, m_node);
    for (const char* sop : kStorageClasses)
        scu.addPresentationContext(sop, storageTransferSyntaxes());
    connect(scu, m_node);
    int done = 0;
    for (const auto& file : files) {
        DcmFileFormat f;
        if (f.loadFile(file.c_str()).bad()) {
            scu.abortAssociation();
            throw PacsError("cannot send '" + file + "': not a readable DICOM file");
        }
        const auto sopClass = text(f.getDataset(), DCM_SOPClassUID);
        const auto syntax = DcmXfer(f.getDataset()->getOriginalXfer()).getXferID();
        const auto context = scu.findPresentationContextID(sopClass.c_str(), syntax);
        if (context == 0) {
            scu.abortAssociation();
            throw PacsError(where(m_node) + " does not accept " + sopClass + " in " + syntax);
        }
        Uint16 response = 0;
        const OFCondition status = scu.sendSTORERequest(context, "", f.getDataset(), response);
        if (status.bad() || response != 0) {
            scu.abortAssociation();
            throw PacsError(
                where(m_node) + " refused '" + file + "' (" +
                (status.bad() ? std::string(status.text()) : "status " + std::to_string(response)) +
                ")");
        }
        if (progress) progress({++done, static_cast<int>(files.size())});
    }
    scu.releaseAssociation();
}

}  // namespace flowseg::dicom
