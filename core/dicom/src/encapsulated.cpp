#include "encapsulated.h"

#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dctk.h>
#include <cstring>

#include "flowseg/dicom/dicom_error.h"

namespace flowseg::dicom {

namespace {
[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw DicomError("cannot read DICOM '" + path + "': " + why);
}
}  // namespace

std::vector<std::uint8_t> encapsulatedFrame(DcmDataset& data, const std::string& path, int frame,
                                            int frames) {
    DcmElement* element = nullptr;
    if (data.findAndGetElement(DCM_PixelData, element).bad() || !element)
        fail(path, "it has no pixel data");
    auto* pixelData = dynamic_cast<DcmPixelData*>(element);
    DcmPixelSequence* sequence = nullptr;
    if (!pixelData ||
        pixelData->getEncapsulatedRepresentation(data.getOriginalXfer(), nullptr, sequence).bad() ||
        !sequence)
        fail(path, "the compressed pixel data is not encapsulated");
    const unsigned long items = sequence->card();  // item 0 is the basic offset table
    if (items < 2) fail(path, "the compressed pixel data has no fragments");
    const auto fragment = [&](unsigned long index) {
        DcmPixelItem* item = nullptr;
        Uint8* bytes = nullptr;
        if (sequence->getItem(item, index).bad() || !item)
            fail(path, "a compressed fragment is missing");
        if (item->getLength() == 0) return std::vector<std::uint8_t>();
        if (item->getUint8Array(bytes).bad() || !bytes)
            fail(path, "a compressed fragment is unreadable");
        return std::vector<std::uint8_t>(bytes, bytes + item->getLength());
    };
    if (frames == 1) {
        std::vector<std::uint8_t> all;
        for (unsigned long i = 1; i < items; ++i) {
            const auto part = fragment(i);
            all.insert(all.end(), part.begin(), part.end());
        }
        return all;
    }
    if (items - 1 != static_cast<unsigned long>(frames))
        fail(path,
             "multi-frame compressed data with frames split over several fragments is not "
             "supported");
    return fragment(static_cast<unsigned long>(frame) + 1);
}

std::vector<std::uint8_t> decodeRleFrame(const std::vector<std::uint8_t>& frame, size_t pixels,
                                         int bytesPerSample, const std::string& path) {
    const auto bad = [&](const std::string& why) { fail(path, "corrupt RLE data (" + why + ")"); };
    if (frame.size() < 64) bad("the header is missing");
    std::uint32_t header[16];
    std::memcpy(header, frame.data(), sizeof header);  // little-endian on our hosts
    const std::uint32_t segments = header[0];
    if (segments != static_cast<std::uint32_t>(bytesPerSample))
        bad(std::to_string(segments) + " segments for " + std::to_string(bytesPerSample) +
            "-byte samples");
    std::vector<std::uint8_t> out(pixels * static_cast<size_t>(bytesPerSample), 0);
    for (std::uint32_t s = 0; s < segments; ++s) {
        const size_t begin = header[1 + s];
        const size_t end = s + 1 < segments ? header[2 + s] : frame.size();
        if (begin < 64 || begin > end || end > frame.size()) bad("segment offsets out of range");
        // Segment 0 holds the most significant byte of every sample.
        const size_t byteInSample = static_cast<size_t>(bytesPerSample) - 1 - s;
        size_t written = 0;
        size_t i = begin;
        while (i < end && written < pixels) {
            const auto control = static_cast<std::int8_t>(frame[i++]);
            if (control >= 0) {  // copy the next control+1 bytes literally
                const size_t n = static_cast<size_t>(control) + 1;
                if (i + n > end) bad("a literal run passes the end of its segment");
                for (size_t k = 0; k < n && written < pixels; ++k)
                    out[(written++) * static_cast<size_t>(bytesPerSample) + byteInSample] =
                        frame[i + k];
                i += n;
            } else if (control != -128) {  // repeat the next byte 1-control times
                if (i >= end) bad("a repeat run has no byte");
                const size_t n = static_cast<size_t>(1 - control);
                for (size_t k = 0; k < n && written < pixels; ++k)
                    out[(written++) * static_cast<size_t>(bytesPerSample) + byteInSample] =
                        frame[i];
                ++i;
            }
        }
        if (written < pixels) bad("a segment ends before the frame is complete");
    }
    return out;
}

}  // namespace flowseg::dicom
