#pragma once
// What the PACS client's operations share (pacs.cpp, pacs_move.cpp): the
// storage classes we exchange, transfer syntaxes, association set-up with the
// node's timeouts, and small helpers. Internal to core/dicom.

#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmnet/scu.h>
#include <string>

#include "flowseg/dicom/pacs.h"

namespace flowseg::dicom::detail {

constexpr int kStorageClassCount = 10;
extern const char* const kStorageClasses[kStorageClassCount];

OFList<OFString> transferSyntaxes();
/// The uncompressed ones and the lossless compressed ones we decode.
OFList<OFString> storageTransferSyntaxes();
/// "PACS ORTHANC at 127.0.0.1:4242", for messages.
std::string where(const PacsNode& n);
/// AE titles, peer and every timeout of `n`; registers the codecs.
void configure(DcmSCU& scu, const PacsNode& n);
/// Initialises the network and negotiates; PacsError saying what to check.
void connect(DcmSCU& scu, const PacsNode& n);
/// The accepted presentation context of `sopClass`; PacsError when none.
T_ASC_PresentationContextID contextFor(DcmSCU& scu, const char* sopClass, const PacsNode& n);
std::string text(DcmItem* item, const DcmTagKey& tag);

template <typename Response>
void freeResponses(OFList<Response*>& responses) {
    for (auto* r : responses) delete r;
    responses.clear();
}

}  // namespace flowseg::dicom::detail
