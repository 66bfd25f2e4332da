// C-MOVE: a storage SCP of our own receives the series the PACS sends while the
// move request runs (pacs.h, PacsClient::moveSeries).

#include <dcmtk/dcmnet/dstorscp.h>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "flowseg/dicom/pacs.h"
#include "flowseg/dicom/pixel_decoder.h"
#include "pacs_common.h"

namespace flowseg::dicom {

namespace fs = std::filesystem;
using namespace detail;

namespace {

/// Our storage SCP for C-MOVE: stores what arrives in a folder, counts it, and
/// stops listening when told to (it checks once a second).
class MoveReceiver : public DcmStorageSCP {
public:
    std::atomic<bool> stop{false};
    std::function<void(int)> onStored;

    std::vector<std::string> files() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_files;
    }

protected:
    OFBool stopAfterConnectionTimeout() override { return stop.load(); }
    OFBool stopAfterCurrentAssociation() override { return stop.load(); }
    void notifyInstanceStored(const OFString& filename, const OFString&, const OFString&,
                              DcmDataset*) const override {
        int count = 0;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_files.emplace_back(filename.c_str());
            count = static_cast<int>(m_files.size());
        }
        if (onStored) onStored(count);
    }

private:
    mutable std::mutex m_mutex;
    mutable std::vector<std::string> m_files;
};

class MoveScu : public DcmSCU {
public:
    std::function<bool()> cancelled;
    std::atomic<int> total{0};
    bool wasCancelled = false;

protected:
    OFCondition handleMOVEResponse(const T_ASC_PresentationContextID presID,
                                   RetrieveResponse* response,
                                   OFBool& waitForNextResponse) override {
        if (response)
            total = response->m_numberOfCompletedSubops + response->m_numberOfRemainingSubops +
                    response->m_numberOfFailedSubops + response->m_numberOfWarningSubops;
        const OFCondition result =
            DcmSCU::handleMOVEResponse(presID, response, waitForNextResponse);
        if (waitForNextResponse && cancelled && cancelled()) {
            wasCancelled = true;
            sendCANCELRequest(presID);
            waitForNextResponse = OFFalse;
        }
        return result;
    }
};

}  // namespace

std::vector<std::string> PacsClient::moveSeries(
    const std::string& studyUid, const std::string& seriesUid, const std::string& folder,
    int listenPort, const std::function<void(const TransferProgress&)>& progress,
    const std::function<bool()>& cancelled) const {
    if (listenPort <= 0 || listenPort > 65535)
        throw PacsError("invalid port " + std::to_string(listenPort) + " to receive C-MOVE on");
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw PacsError("cannot create '" + folder + "': " + ec.message());
    registerCodecs();
    // DCMTK's SCP turns off the global correction of input data when it starts
    // listening (it wants the bytes as sent); our readers and SEG writer need it back.
    struct RestoreCorrection {
        OFBool value = dcmEnableAutomaticInputDataCorrection.get();
        ~RestoreCorrection() { dcmEnableAutomaticInputDataCorrection.set(value); }
    } restoreCorrection;
    MoveReceiver receiver;
    receiver.setAETitle(m_node.callingAeTitle.c_str());
    receiver.setPort(static_cast<Uint16>(listenPort));
    receiver.setOutputDirectory(folder.c_str());
    receiver.setDirectoryGenerationMode(DcmStorageSCP::DGM_NoSubdirectory);
    receiver.setFilenameGenerationMode(DcmStorageSCP::FGM_SOPInstanceUID);
    receiver.setFilenameExtension(".dcm");
    receiver.setConnectionBlockingMode(DUL_NOBLOCK);
    receiver.setConnectionTimeout(1);
    receiver.setACSETimeout(static_cast<Uint32>(m_node.timeoutSeconds));
    receiver.setDIMSETimeout(static_cast<Uint32>(m_node.timeoutSeconds));
    receiver.setHostLookupEnabled(OFFalse);
    receiver.setVerbosePCMode(OFFalse);
    for (const char* sop : kStorageClasses)
        receiver.addPresentationContext(sop, storageTransferSyntaxes());
    MoveScu scu;
    configure(scu, m_node);
    scu.cancelled = cancelled;
    receiver.onStored = [&](int count) {
        if (progress) progress({count, scu.total.load()});
    };
    if (const OFCondition profile = receiver.getConfig().setAndCheckAssociationProfile("DEFAULT");
        profile.bad())
        throw PacsError(std::string("cannot set up our storage SCP: ") + profile.text());
    if (const OFCondition listening = receiver.openListenPort(); listening.bad())
        throw PacsError("cannot listen on port " + std::to_string(listenPort) +
                        " for the images (" + listening.text() +
                        "): in use, or below 1024 without privileges? Choose another port and "
                        "tell the PACS");
    std::thread listening([&receiver] { receiver.acceptAssociations(); });
    const auto finish = [&] {
        receiver.stop = true;
        listening.join();
    };
    try {
        scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel,
                                   transferSyntaxes());
        connect(scu, m_node);
    } catch (...) {
        finish();
        throw;
    }
    DcmDataset query;
    query.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    query.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
    query.putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
    OFList<RetrieveResponse*> responses;
    OFCondition status = EC_Normal;
    try {
        const auto context =
            contextFor(scu, UID_MOVEStudyRootQueryRetrieveInformationModel, m_node);
        status = scu.sendMOVERequest(context, m_node.callingAeTitle.c_str(), &query, &responses);
    } catch (...) {
        scu.abortAssociation();
        finish();
        throw;
    }
    int failed = 0;
    Uint16 finalStatus = 0;
    for (auto* r : responses) {
        failed = std::max<int>(failed, r->m_numberOfFailedSubops);
        finalStatus = r->m_status;
    }
    freeResponses(responses);
    if (scu.wasCancelled) {
        scu.abortAssociation();
        finish();
        throw PacsError("retrieval from " + where(m_node) + " cancelled after " +
                        std::to_string(receiver.files().size()) + " images");
    }
    scu.releaseAssociation();
    finish();
    if (status.bad())
        throw PacsError("retrieval (C-MOVE) from " + where(m_node) + " failed: " + status.text());
    if (finalStatus == 0xA801 || (finalStatus >= 0xC000 && receiver.files().empty()))
        throw PacsError(where(m_node) + " sent nothing to the move destination " +
                        m_node.callingAeTitle +
                        ": check that it knows that AE title with this host and port " +
                        std::to_string(listenPort));
    if (failed > 0 || (finalStatus != 0 && finalStatus != 0xB000)) {
        char code[8];
        std::snprintf(code, sizeof code, "%04X", finalStatus);
        throw PacsError(where(m_node) + " could not send " + std::to_string(failed) +
                        " images (status 0x" + code + ")");
    }
    auto paths = receiver.files();
    std::sort(paths.begin(), paths.end());
    return paths;
}

}  // namespace flowseg::dicom
