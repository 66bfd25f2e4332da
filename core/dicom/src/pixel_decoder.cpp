#include "flowseg/dicom/pixel_decoder.h"

#include <atomic>

#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

#include "encapsulated.h"
#include "flowseg/common/sha256.h"
#include "flowseg/dicom/dicom_error.h"
#include "functional_groups.h"
#include "jpeg2000.h"
#include "loaded_file.h"

namespace flowseg::dicom {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw DicomError("cannot read DICOM '" + path + "': " + why);
}

std::string metaTransferSyntax(const std::string& path) {
    DcmFileFormat meta;
    if (meta.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_metaOnly)
            .bad())
        return {};
    OFString uid;
    meta.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, uid);
    return uid.c_str();
}

long integerOr(DcmItem& item, const DcmTagKey& tag, long fallback) {
    Sint32 value = 0;
    if (item.findAndGetSint32(tag, value).good()) return value;
    Uint16 u16 = 0;
    if (item.findAndGetUint16(tag, u16).good()) return u16;
    return fallback;
}

// Stored values of one frame (little-endian samples of bitsAllocated) -> int64,
// masked to BitsStored and sign-extended when PixelRepresentation is 1.
void storedToModality(const std::uint8_t* raw, size_t count, int bitsAllocated, int bitsStored,
                      bool isSigned, double slope, double intercept, float* out) {
    const std::uint64_t mask = bitsStored >= 64 ? ~0ULL : ((1ULL << bitsStored) - 1);
    const std::uint64_t signBit = 1ULL << (bitsStored - 1);
    const int bytes = bitsAllocated / 8;
    for (size_t i = 0; i < count; ++i) {
        std::uint64_t v = 0;
        for (int b = 0; b < bytes; ++b)
            v |= static_cast<std::uint64_t>(raw[i * bytes + b]) << (8 * b);
        v &= mask;
        std::int64_t value = static_cast<std::int64_t>(v);
        if (isSigned && (v & signBit)) value -= static_cast<std::int64_t>(1ULL << bitsStored);
        out[i] = static_cast<float>(static_cast<double>(value) * slope + intercept);
    }
}

}  // namespace

void registerCodecs() {
    static std::once_flag once;
    std::call_once(once, [] {
        // DCMTK logs parser warnings to stderr; we turn each problem into one
        // clear error of our own instead.
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        // RLE is decoded by our own bounds-checked decoder (encapsulated.h).
    });
}

namespace {
std::atomic<std::uint64_t> g_fileParses{0};
}  // namespace

std::uint64_t dicomFileParses() { return g_fileParses.load(); }
std::string dcmtkVersion() { return OFFIS_DCMTK_VERSION_STRING; }
void countDicomFileParse() { ++g_fileParses; }

void loadDicomFile(DcmFileFormat& file, const std::string& path) {
    registerCodecs();
    countDicomFileParse();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) fail(path, "no such file");
    const OFCondition loaded = file.loadFile(path.c_str());
    if (loaded.bad()) {
        const auto uid = metaTransferSyntax(path);
        if (!uid.empty() && !describeTransferSyntax(uid).decodable)
            fail(path, "transfer syntax " + uid + " (" + describeTransferSyntax(uid).name +
                           ") is not supported");
        fail(path, std::string(loaded.text()) + " (not DICOM, or truncated)");
    }
}

DecodedPixels decodePixels(const std::string& path) {
    DcmFileFormat file;
    loadDicomFile(file, path);
    return decodeLoadedPixels(file, path);
}

DecodedPixels decodeLoadedPixels(DcmFileFormat& file, const std::string& path) {
    DcmDataset& data = *file.getDataset();
    DecodedPixels out;
    {
        OFString uid;
        file.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, uid);
        const std::string syntax =
            uid.empty() ? DcmXfer(data.getOriginalXfer()).getXferID() : uid.c_str();
        out.transferSyntax = describeTransferSyntax(syntax);
    }
    OFString modality;
    data.findAndGetOFString(DCM_Modality, modality);
    out.modality = modality.c_str();
    DcmElement* element = nullptr;
    if (data.findAndGetElement(DCM_PixelData, element).bad() || !element)
        fail(path, "it has no pixel data (not an image)");
    out.rows = static_cast<int>(integerOr(data, DCM_Rows, 0));
    out.columns = static_cast<int>(integerOr(data, DCM_Columns, 0));
    out.frames = static_cast<int>(integerOr(data, DCM_NumberOfFrames, 1));
    const int samples = static_cast<int>(integerOr(data, DCM_SamplesPerPixel, 1));
    const int bitsAllocated = static_cast<int>(integerOr(data, DCM_BitsAllocated, 0));
    out.bitsStored = static_cast<int>(integerOr(data, DCM_BitsStored, bitsAllocated));
    out.signedPixels = integerOr(data, DCM_PixelRepresentation, 0) == 1;
    if (out.rows <= 0 || out.columns <= 0 || out.frames <= 0)
        fail(path, "missing or invalid Rows/Columns/NumberOfFrames");
    if (samples != 1)
        fail(path, "it is a colour image (" + std::to_string(samples) +
                       " samples per pixel); lesion review needs greyscale CT or MR");
    if (bitsAllocated == 1)
        fail(path,
             "it holds 1-bit pixels (a binary segmentation?); DICOM SEG is read with the SEG "
             "reader");
    if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32)
        fail(path, "BitsAllocated " + std::to_string(bitsAllocated) + " is not supported");
    if (out.bitsStored < 1 || out.bitsStored > bitsAllocated) fail(path, "invalid BitsStored");

    const size_t framePixels = static_cast<size_t>(out.rows) * static_cast<size_t>(out.columns);
    // 8192 x 8192 per frame and 2^28 values (1 GiB of floats) per file: far above
    // any CT or MR, and a corrupt header cannot make us allocate more.
    if (framePixels > size_t{8192} * 8192 ||
        framePixels * static_cast<size_t>(out.frames) > (size_t{1} << 28))
        fail(path, "the image is implausibly large (" + std::to_string(out.columns) + "x" +
                       std::to_string(out.rows) + " x " + std::to_string(out.frames) + " frames)");
    out.values.resize(framePixels * static_cast<size_t>(out.frames));
    for (int f = 0; f < out.frames; ++f) {
        const auto rescale = rescaleForFrame(data, f);
        out.slopes.push_back(rescale.slope);
        out.intercepts.push_back(rescale.intercept);
    }

    const auto& syntax = out.transferSyntax.uid;
    const bool jpeg2000 = syntax == "1.2.840.10008.1.2.4.90" || syntax == "1.2.840.10008.1.2.4.91";
    if (jpeg2000) {
        decodeJpeg2000Frames(
            data, path, out.frames, out.rows, out.columns,
            [&](int frame, const std::vector<std::int32_t>& v) {
                float* target = out.values.data() + framePixels * static_cast<size_t>(frame);
                for (size_t i = 0; i < framePixels; ++i)
                    target[i] = static_cast<float>(static_cast<double>(v[i]) *
                                                       out.slopes[static_cast<size_t>(frame)] +
                                                   out.intercepts[static_cast<size_t>(frame)]);
            });
        return out;
    }
    if (syntax == "1.2.840.10008.1.2.5") {
        const int bytes = bitsAllocated / 8;
        for (int f = 0; f < out.frames; ++f) {
            const auto raw = decodeRleFrame(encapsulatedFrame(data, path, f, out.frames),
                                            framePixels, bytes, path);
            storedToModality(raw.data(), framePixels, bitsAllocated, out.bitsStored,
                             out.signedPixels, out.slopes[static_cast<size_t>(f)],
                             out.intercepts[static_cast<size_t>(f)],
                             out.values.data() + framePixels * static_cast<size_t>(f));
        }
        return out;
    }
    if (!out.transferSyntax.decodable)
        fail(path, "transfer syntax " + syntax + " (" + out.transferSyntax.name +
                       ") is not supported; convert the file, e.g. to Explicit VR Little Endian");
    Uint32 frameBytes = 0;
    if (element->getUncompressedFrameSize(&data, frameBytes).bad() || frameBytes == 0)
        fail(path, "cannot determine the frame size");
    const size_t expected = framePixels * static_cast<size_t>(bitsAllocated / 8);
    if (frameBytes < expected) fail(path, "the pixel data is shorter than Rows x Columns");
    std::vector<std::uint8_t> buffer(frameBytes + (frameBytes & 1));
    Uint32 startFragment = 0;
    for (int f = 0; f < out.frames; ++f) {
        OFString colourModel;
        const OFCondition status = element->getUncompressedFrame(
            &data, static_cast<Uint32>(f), startFragment, buffer.data(),
            static_cast<Uint32>(buffer.size()), colourModel, nullptr);
        if (status.bad()) {
            if (out.transferSyntax.encapsulated)
                fail(path, "cannot decode " + out.transferSyntax.name + " (" + syntax +
                               "): " + status.text());
            fail(path, std::string("the pixel data is incomplete (") + status.text() + ")");
        }
        if (bitsAllocated == 32 && data.getOriginalXfer() == EXS_BigEndianExplicit) {
            // DCMTK byte-swaps OW pixel data as 16-bit words; 32-bit samples also
            // need their two halves exchanged.
            for (size_t i = 0; i + 3 < framePixels * 4; i += 4) {
                std::swap(buffer[i], buffer[i + 2]);
                std::swap(buffer[i + 1], buffer[i + 3]);
            }
        }
        storedToModality(buffer.data(), framePixels, bitsAllocated, out.bitsStored,
                         out.signedPixels, out.slopes[static_cast<size_t>(f)],
                         out.intercepts[static_cast<size_t>(f)],
                         out.values.data() + framePixels * static_cast<size_t>(f));
    }
    return out;
}

std::string pixelSha256(const std::vector<float>& values) {
    static_assert(sizeof(float) == 4);
    return common::sha256Hex(values.data(),
                             values.size() * sizeof(float));  // host is little-endian
}

}  // namespace flowseg::dicom
