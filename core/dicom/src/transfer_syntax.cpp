#include <array>

#include "flowseg/dicom/pixel_decoder.h"

namespace flowseg::dicom {

namespace {

struct Known {
    const char* uid;
    const char* name;
    bool lossy;
    bool encapsulated;
    bool decodable;
};

constexpr std::array<Known, 21> kSyntaxes{{
    {"1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, true},
    {"1.2.840.10008.1.2.1", "Explicit VR Little Endian", false, false, true},
    {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", false, false, true},
    {"1.2.840.10008.1.2.2", "Explicit VR Big Endian", false, false, true},
    {"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, true, true},
    {"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, true, true},
    {"1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)", false, true, true},
    {"1.2.840.10008.1.2.4.70", "JPEG Lossless SV1 (Process 14, selection value 1)", false, true,
     true},
    {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", false, true, true},
    {"1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless", true, true, true},
    {"1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)", false, true, true},
    {"1.2.840.10008.1.2.4.91", "JPEG 2000", true, true, true},
    {"1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (Lossless Only)", false, true,
     false},
    {"1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component", true, true, false},
    {"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile", true, true, false},
    {"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264", true, true, false},
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)", false, true, false},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL (Lossless Only)", false, true,
     false},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000", true, true, false},
    {"1.2.840.10008.1.2.5", "RLE Lossless", false, true, true},
    {"1.2.840.10008.1.2.4.110", "JPEG XL Lossless", false, true, false},
}};

}  // namespace

TransferSyntax describeTransferSyntax(const std::string& uid) {
    for (const auto& k : kSyntaxes)
        if (uid == k.uid) return {uid, k.name, k.lossy, k.encapsulated, k.decodable};
    return {uid, "unknown transfer syntax", false, true, false};
}

}  // namespace flowseg::dicom
